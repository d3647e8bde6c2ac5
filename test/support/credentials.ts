import { randomBytes } from 'node:crypto';

/** The admin key every test system's gateway is given (TOPDOG_ADMIN_KEY), fresh for each test run. */
export const TEST_ADMIN_KEY = `tdk_${randomBytes(32).toString('base64url')}`;

/** The Authorization header of a bearer credential. */
export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

/** Headers that carry the test admin key. */
export const adminAuth = () => bearer(TEST_ADMIN_KEY);
