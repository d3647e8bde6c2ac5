import {
  TopDogError,
  type ApiKeyBody,
  type ApiKeyListResponse,
  type CreateApiKeyRequest,
  type CreatedApiKeyResponse,
  type Identity,
  type StoredApiKey,
} from '@topdog/contracts';
import { generateApiKey } from './api-key-secret';
import type { ApiKeyStore } from './api-key-store';

const bodyOf = (r: StoredApiKey): ApiKeyBody => ({
  id: r.id,
  name: r.name,
  projects: r.projects,
  role: r.role,
  expires_at: r.expiresAt,
  created_at: r.createdAt,
  created_by: r.createdBy,
});

/** Creating, listing and revoking API keys (admin only; the route policy checks the role). */
export function createApiKeysApi(keys: ApiKeyStore, now: () => Date = () => new Date()) {
  return {
    /** The key is in this answer only: what is stored is its hash. */
    async create(request: CreateApiKeyRequest, creator: Identity): Promise<CreatedApiKeyResponse> {
      const expiresAt = request.expires_at === undefined ? null : new Date(request.expires_at).toISOString();
      if (expiresAt !== null && Date.parse(expiresAt) <= now().getTime()) {
        throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'expires_at', reason: 'must be in the future' }]);
      }
      const { id, key, secretHash } = generateApiKey();
      const record: StoredApiKey = {
        id,
        name: request.name,
        projects: request.projects,
        role: request.role,
        expiresAt,
        createdAt: now().toISOString(),
        createdBy: creator.actor,
        secretHash,
      };
      await keys.put(record);
      return { ...bodyOf(record), key };
    },

    async list(): Promise<ApiKeyListResponse> {
      return { keys: (await keys.list()).map(bodyOf) };
    },

    async revoke(id: string): Promise<void> {
      if (!(await keys.revoke(id))) throw new TopDogError('NOT_FOUND', `API key ${id} not found`);
    },
  };
}
export type ApiKeysApi = ReturnType<typeof createApiKeysApi>;
