/** A complete-phase's or an approval's answer, for people. */
export function describeTransition(v: {
  previous_state: string;
  new_state: string;
  is_complete: boolean;
  awaiting_approval: boolean;
  next_role: string | null;
  next_action: string;
  call_id?: string;
}): string {
  if (v.awaiting_approval) return `${v.new_state}: awaiting approval (topdog approve | topdog reject --comment …)`;
  const next = v.is_complete ? ' (complete)' : `\nnext: ${v.next_role}: ${v.next_action}`;
  return `${v.previous_state} -> ${v.new_state}${next}${v.call_id ? `\nmodel call: ${v.call_id}` : ''}`;
}
