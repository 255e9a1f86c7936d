// /messages — my conversations, the most recent first, each row one tap target with the unread count; a new
// conversation with colleagues found in the directory by name (one person: a conversation à deux, the same one if
// it exists; several: a named group). The list follows the live feed (state/live.ts).
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, newKey, type Conversation, type DirSearchItem } from '../api';
import { Page } from '../components/Page';
import { DirectoryPicker } from '../components/DirectoryPicker';
import { PushOffer } from '../components/PushOffer';
import { ErrorSummary, Loading, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { ErrorNotice } from '../components/PatientBits';
import { itemName } from '../components/directory';
import { navigate } from '../router';
import { onLive } from '../state/live';
import { t } from '../i18n';

export function timeText(iso: string): string {
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString()
    ? d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'short' });
}

function Row({ c }: { c: Conversation }) {
  const last = c.last_message;
  return (
    <li>
      <a class="conversation-row" href={`/messages/${encodeURIComponent(c.id)}`} data-testid="conversation-row">
        <span class="conversation-row__name">{c.name}</span>
        <span class="conversation-row__when">{timeText(c.last_at)}</span>
        <span class="conversation-row__last">
          {last ? (last.deleted ? t.messages.deleted : last.body) : t.messages.noMessageYet}
        </span>
        {!!c.unread && <span class="count-badge" data-testid="unread" aria-label={t.messages.unread(c.unread)}>{c.unread}</span>}
      </a>
    </li>
  );
}

function NewConversation() {
  const [people, setPeople] = useState<DirSearchItem[]>([]);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ReturnType<typeof asApiError> | null>(null);
  const [key] = useState(newKey);
  const add = (p: DirSearchItem | null) => {
    if (!p) return;
    if (p.kind !== 'professional' || !p.has_account) { setErrors({ member: t.messages.noAccount }); return; }
    setErrors({});
    setPeople((o) => (o.some((x) => x.id === p.id) ? o : [...o, p]));
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!people.length) { setErrors({ member: t.messages.choosePeople }); return; }
    const group = people.length > 1;
    if (group && !title.trim()) { setErrors({ title: t.messages.titleNeeded }); return; }
    setBusy(true);
    try {
      const c = await api.newConversation({ kind: group ? 'group' : 'direct', title: group ? title.trim() : undefined,
        professional_ids: people.map((p) => p.id) }, key);
      navigate(`/messages/${encodeURIComponent(c.id)}`);
    } catch (x) { setProblem(asApiError(x)); setErrors(fieldErrorsOf(x)); }
    finally { setBusy(false); }
  };
  return (
    <details class="card" data-testid="new-conversation">
      <summary class="card__title">{t.messages.newTitle}</summary>
      <ErrorSummary problem={problem} fields={errors} labels={{ member: t.messages.who, title: t.messages.groupTitle }} />
      <form class="form" onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <DirectoryPicker name="member" value={null} onChange={add} error={errors.member ?? errors.professional_ids} />
        {people.length > 0 && (
          <ul class="plain chips" aria-label={t.messages.who}>
            {people.map((p) => (
              <li key={p.id} class="chip">
                {itemName(p)}
                <button type="button" class="btn btn--ghost btn--small" aria-label={t.messages.remove(itemName(p))}
                  onClick={() => setPeople((o) => o.filter((x) => x.id !== p.id))}>×</button>
              </li>
            ))}
          </ul>
        )}
        {people.length > 1 && (
          <TextField name="title" label={t.messages.groupTitle} hint={t.messages.groupTitleHint} required value={title}
            onValue={setTitle} error={errors.title} maxLength={120} />
        )}
        <SubmitButton busy={busy} label={t.messages.open} busyLabel={t.app.loading} />
      </form>
    </details>
  );
}

export function Messages() {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const load = () => api.conversations().then((r) => { setItems(r.items); setError(null); }).catch(setError);
    void load();
    // A new message, a read on another device, a new conversation: the list as the server counts it.
    return onLive((e) => { if (e.kind === 'message' || e.kind === 'read' || e.kind === 'conversation' || e.kind === 'message_updated') void load(); });
  }, []);
  return (
    <Page title={t.messages.pageTitle}>
      <ErrorNotice error={error} />
      {!items && !error ? <Loading /> : items && (items.length === 0 ? <p class="muted">{t.messages.empty}</p> : (
        <ul class="plain conversation-list" data-testid="conversations">
          {items.map((c) => <Row key={c.id} c={c} />)}
        </ul>
      ))}
      <NewConversation />
      <PushOffer />
    </Page>
  );
}
