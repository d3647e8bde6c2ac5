import * as z from 'zod';
import { AccessRole, ProjectScope } from './identity';

/** Every API key starts with this, so a leaked one is recognisable (and redactable) on sight. */
export const API_KEY_PREFIX = 'tdk_';

/** `POST /api/admin/keys`: a new key for some projects (or every one, `["*"]`) with one role. */
export const CreateApiKeyRequest = z.strictObject({
  name: z.string().min(1).max(200),
  projects: ProjectScope,
  role: AccessRole,
  expires_at: z.iso.datetime({ offset: true }).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** A key as listed: never its secret. */
export const ApiKeyBody = z.object({
  id: z.string(),
  name: z.string(),
  projects: ProjectScope,
  role: AccessRole,
  expires_at: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
});
export type ApiKeyBody = z.infer<typeof ApiKeyBody>;

/** The answer to a create: the only time the key itself is shown. */
export const CreatedApiKeyResponse = ApiKeyBody.extend({ key: z.string().startsWith(API_KEY_PREFIX) });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const ApiKeyListResponse = z.object({ keys: z.array(ApiKeyBody) });
export type ApiKeyListResponse = z.infer<typeof ApiKeyListResponse>;

export const ApiKeyIdParams = z.strictObject({ id: z.string().regex(/^[a-z0-9]{1,64}$/) });

/**
 * A key as stored (in the `<prefix>_api_keys` KV bucket, under its id): the SHA-256 of the
 * secret, never the secret.
 */
export const StoredApiKey = z.object({
  id: z.string(),
  name: z.string(),
  projects: ProjectScope,
  role: AccessRole,
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  secretHash: z.string(),
});
export type StoredApiKey = z.infer<typeof StoredApiKey>;
