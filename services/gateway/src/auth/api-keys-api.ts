import {
  ALL_PROJECTS,
  inScope,
  TopDogError,
  type ApiKeyBody,
  type ApiKeyListResponse,
  type CreateApiKeyRequest,
  type CreatedApiKeyResponse,
  type Identity,
  type ProjectScope,
  type StoredApiKey,
} from '@topdog/contracts';
import { generateApiKey } from './api-key-secret';
import type { ApiKeyStore } from './api-key-store';

/** Whether a scope covers every project of another: `*` only covers, and is covered by, `*`. */
const covers = (scope: ProjectScope, projects: ProjectScope) => projects.every((p) => (p === ALL_PROJECTS ? scope.includes(ALL_PROJECTS) : inScope(scope, p)));

const bodyOf = (r: StoredApiKey): ApiKeyBody => ({
  id: r.id,
  name: r.name,
  projects: r.projects,
  role: r.role,
  expires_at: r.expiresAt,
  created_at: r.createdAt,
  created_by: r.createdBy,
});

/**
 * Creating, listing and revoking API keys (admin only; the route policy checks the role). An
 * admin of some projects manages keys of those projects only: it cannot mint a key wider than
 * itself, nor see or revoke one.
 */
export function createApiKeysApi(keys: ApiKeyStore, now: () => Date = () => new Date()) {
  return {
    /** The key is in this answer only: what is stored is its hash. */
    async create(request: CreateApiKeyRequest, creator: Identity): Promise<CreatedApiKeyResponse> {
      const expiresAt = request.expires_at === undefined ? null : new Date(request.expires_at).toISOString();
      if (expiresAt !== null && Date.parse(expiresAt) <= now().getTime()) {
        throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'expires_at', reason: 'must be in the future' }]);
      }
      if (!covers(creator.projects, request.projects)) {
        throw new TopDogError('FORBIDDEN', 'a key may not cover projects its creator does not', [
          { field: 'projects', reason: "must be within the creating credential's projects" },
        ]);
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
      await keys.create(record);
      return { ...bodyOf(record), key };
    },

    async list(caller: Identity): Promise<ApiKeyListResponse> {
      return { keys: (await keys.list()).filter((k) => covers(caller.projects, k.projects)).map(bodyOf) };
    },

    async revoke(id: string, caller: Identity): Promise<void> {
      const record = await keys.get(id);
      if (!record || !covers(caller.projects, record.projects) || !(await keys.revoke(id))) throw new TopDogError('NOT_FOUND', `API key ${id} not found`);
    },
  };
}
export type ApiKeysApi = ReturnType<typeof createApiKeysApi>;
