import { ROLES, type Role } from '@topdog/contracts';
import { memo, useState, type KeyboardEvent } from 'react';
import { Markdown } from '../markdown/Markdown';
import { formatDateTime } from '../ui/format';
import type { ConversationEntry } from './workflow-view';

/** Each role's conversation, one tab per role (arrow keys, Home and End move between tabs, as WAI-ARIA's tabs pattern has it). */
export const Conversations = memo(function Conversations({ conversations }: { conversations: Record<Role, ConversationEntry[]> }) {
  const [selected, setSelected] = useState<Role>('Q_ASSISTANT');
  const onKey = (e: KeyboardEvent) => {
    const at = ROLES.indexOf(selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ROLES.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = ROLES[(to + ROLES.length) % ROLES.length]!;
    setSelected(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  const entries = conversations[selected];
  return (
    <section className="card" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading">Conversations</h2>
      <div role="tablist" aria-label="Roles" className="tabs" onKeyDown={onKey}>
        {ROLES.map((role) => (
          <button
            key={role}
            id={`tab-${role}`}
            role="tab"
            type="button"
            aria-selected={role === selected}
            aria-controls="conversation-panel"
            tabIndex={role === selected ? 0 : -1}
            onClick={() => setSelected(role)}
          >
            {role} <span className="count">({conversations[role].length})</span>
          </button>
        ))}
      </div>
      <div id="conversation-panel" role="tabpanel" aria-labelledby={`tab-${selected}`} tabIndex={0} className="conversation">
        {entries.length === 0 && <p className="muted">Nothing yet from {selected}.</p>}
        {entries.map((entry) => (
          <Entry key={`${entry.revision}-${entry.kind}`} entry={entry} />
        ))}
      </div>
    </section>
  );
});

function Entry({ entry }: { entry: ConversationEntry }) {
  const when = <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>;
  if (entry.kind === 'note') {
    return (
      <p className={`entry note note-${entry.tone}`}>
        <strong>{entry.phase}</strong> · {entry.text} · {when}
      </p>
    );
  }
  if (entry.kind === 'prompt') {
    return (
      <article className="entry prompt" aria-label={`Prompt for ${entry.phase}`}>
        <header>
          <strong>Prompt</strong> · {entry.phase} · {entry.model}
          {entry.purpose !== 'phase' && ` · ${entry.purpose}`} · {when}
        </header>
        {entry.system && (
          <details>
            <summary>System prompt</summary>
            <Markdown text={entry.system} />
          </details>
        )}
        {entry.context.length > 0 && (
          <details>
            <summary>Earlier messages sent with it ({entry.context.length})</summary>
            {entry.context.map((m, i) => (
              <div key={i} className={`context context-${m.role}`}>
                <strong>{m.role}</strong>
                <Markdown text={m.content} />
              </div>
            ))}
          </details>
        )}
        <Markdown text={entry.text} />
      </article>
    );
  }
  const by = entry.source === 'model' ? (entry.model ?? 'the model') : entry.source === 'copied' ? 'copied from the parent' : 'given by hand';
  return (
    <article className="entry answer" aria-label={`Answer for ${entry.phase}`}>
      <header>
        <strong>Answer</strong> · {entry.phase} · {by}
        {entry.outputTokens !== null && ` · ${entry.outputTokens} tokens`} · {when}
      </header>
      <Markdown text={entry.text} />
    </article>
  );
}
