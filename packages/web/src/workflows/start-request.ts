import { PHASES, type InitializeWorkflowRequest, type Phase } from '@topdog/contracts';
import type { z } from 'zod';

/** The start form as typed: strings and checkboxes. */
export interface StartForm {
  projectId: string;
  buildId: string;
  userId: string;
  model: string;
  requirements: string;
  autoAdvance: boolean;
  approvals: Phase[];
  maxCostUsd: string;
  maxTokens: string;
}

export type StartRequest = z.input<typeof InitializeWorkflowRequest>;

/**
 * The initialize request from the form, or the fields it cannot send and why. Requirements are a
 * JSON object when they parse as one, otherwise the text as `{ "description": text }`. Numbers
 * are checked here for a clear message; the API checks everything again.
 */
export function startRequestOf(form: StartForm): { request: StartRequest } | { errors: { field: string; reason: string }[] } {
  const errors: { field: string; reason: string }[] = [];
  if (!form.projectId.trim()) errors.push({ field: 'project_id', reason: 'required' });
  if (!form.userId.trim()) errors.push({ field: 'user_id', reason: 'required' });
  const requirements = requirementsOf(form.requirements);
  const number = (text: string, field: string, integer: boolean): number | undefined => {
    if (!text.trim()) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      errors.push({ field, reason: integer ? 'a whole number above 0' : 'a number above 0' });
      return undefined;
    }
    return value;
  };
  const maxCost = number(form.maxCostUsd, 'budget.max_cost_usd', false);
  const maxTokens = number(form.maxTokens, 'budget.max_tokens', true);
  if (errors.length > 0) return { errors };
  const request: StartRequest = {
    project_id: form.projectId.trim(),
    user_id: form.userId.trim(),
    requirements,
    auto_advance: form.autoAdvance,
    approval_required: PHASES.filter((p) => form.approvals.includes(p)),
  };
  if (form.buildId.trim()) request.build_id = form.buildId.trim();
  if (form.model.trim()) request.model = form.model.trim();
  if (maxCost !== undefined || maxTokens !== undefined) request.budget = { max_cost_usd: maxCost, max_tokens: maxTokens };
  return { request };
}

function requirementsOf(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (!trimmed) return {};
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {}
  }
  return { description: text };
}
