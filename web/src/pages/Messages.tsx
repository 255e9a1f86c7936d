// /messages — my conversations, the most recent first, each row one tap target with the unread count; a new
// conversation with colleagues found in the directory by name (one person: a conversation à deux, the same one if
// it exists; several: a named group). The list follows the live feed (state/live.ts). Above it, the search in my
// messages (accents ignored): each result leads to its conversation at that message. Without network, the list this
// device keeps (offline/messages.ts); OfflineMessages is that list when the app was reopened without network.
import { useEffect, useState } from 'preact/hooks';
import { api, asApiError, isApiError, newKey, type Conversation, type DirSearchItem, type Message } from '../api';
import { Page } from '../components/Page';
import { DirectoryPicker } from '../components/DirectoryPicker';
import { PushOffer } from '../components/PushOffer';
import { ErrorSummary, Loading, SubmitButton, TextField, fieldErrorsOf, type FieldErrors } from '../components/forms';
import { ErrorNotice } from '../components/PatientBits';
import { itemName } from '../components/directory';
import { navigate } from '../router';
import { onLive } from '../state/live';
import { ServiceIcon } from '../components/icons';
import { forgetConversation, keepConversations, keptConversations } from '../offline/messages';
import { currentKey, storeVersion } from '../offline/sync';
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
        <span class="conversation-row__name">
          {c.kind === 'patient' && <><ServiceIcon name="patients" size={20} /><span class="sr-only">{t.messages.circleKind} : </span></>}
          {c.name}
        </span>
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

/** The words of `text` found by the search (accents and case ignored) in <mark>. */
export function Highlight({ text, words }: { text: string; words: string[] }) {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  // Folded character by character, so that positions in the folded text are positions in the text.
  const chars = [...text];
  const folded = chars.map(fold);
  const starts: number[] = [];
  let pos = 0;
  for (const f of folded) { starts.push(pos); pos += f.length; }
  const flat = folded.join('');
  const marked = chars.map(() => false);
  for (const w of words.map(fold).filter(Boolean)) {
    for (let i = flat.indexOf(w); i >= 0; i = flat.indexOf(w, i + 1)) {
      chars.forEach((_, k) => { if (starts[k] < i + w.length && starts[k] + folded[k].length > i) marked[k] = true; });
    }
  }
  const parts: { s: string; m: boolean }[] = [];
  chars.forEach((c, k) => { const last = parts.at(-1); if (last && last.m === marked[k]) last.s += c; else parts.push({ s: c, m: marked[k] }); });
  return <>{parts.map((p, i) => (p.m ? <mark key={i}>{p.s}</mark> : p.s))}</>;
}

function SearchResults({ q, items, conversations }: { q: string; items: Message[]; conversations: Conversation[] }) {
  const words = q.split(/\s+/).filter(Boolean);
  const byId = new Map(conversations.map((c) => [c.id, c]));
  return (
    <ul class="plain conversation-list" data-testid="search-results" aria-label={t.messages.searchResults(items.length)}>
      {items.map((m) => {
        const c = byId.get(m.conversation_id);
        const a = c?.members.find((x) => x.account_id === m.author_id);
        return (
          <li key={m.id}>
            <a class="conversation-row" href={`/messages/${encodeURIComponent(m.conversation_id)}?message=${encodeURIComponent(m.id)}`}
              data-testid="search-result">
              <span class="conversation-row__name">{a ? `${a.first_name} ${a.last_name}` : t.messages.someone}</span>
              <span class="conversation-row__when">{timeText(m.created_at)}</span>
              {c && <span class="conversation-row__in">
                {c.kind === 'patient' && <><ServiceIcon name="patients" size={18} /><span class="sr-only">{t.messages.circleKind} : </span></>}
                {t.messages.resultIn(c.name ?? '')}</span>}
              <span class="conversation-row__text"><Highlight text={m.body} words={words} /></span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

function MessageSearch({ q, setQ, conversations }: { q: string; setQ: (q: string) => void; conversations: Conversation[] }) {
  const [items, setItems] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const term = q.trim();
  useEffect(() => {
    if (term.length < 2) { setItems(null); setError(null); return; }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      setBusy(true);
      api.searchMessages(term, ctrl.signal).then((r) => { setItems(r.items); setError(null); })
        .catch((x) => { if ((x as Error)?.name !== 'AbortError') setError(x); })
        .finally(() => setBusy(false));
    }, 300);
    return () => { clearTimeout(timer); ctrl.abort(); };
  }, [term]);
  return (
    <>
      <form role="search" class="message-search" onSubmit={(e) => e.preventDefault()}>
        <label for="message-search" class="sr-only">{t.messages.searchLabel}</label>
        <ServiceIcon name="search" size={20} />
        <input id="message-search" type="search" value={q} placeholder={t.messages.searchLabel} autocomplete="off"
          onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)} />
        {q && <button type="button" class="icon-action" aria-label={t.messages.searchClear}
          onClick={() => { setQ(''); document.getElementById('message-search')?.focus(); }}><span aria-hidden="true">×</span></button>}
      </form>
      <p class="sr-only" role="status">{term.length >= 2 ? (busy ? t.messages.searching : items ? t.messages.searchResults(items.length) : '') : ''}</p>
      {term.length >= 2 && <>
        <ErrorNotice error={error} />
        {items && (items.length === 0 ? <p class="muted">{t.messages.searchResults(0)}</p>
          : <SearchResults q={term} items={items} conversations={conversations} />)}
      </>}
    </>
  );
}

export function Messages() {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [kept, setKept] = useState(false);  // shown from the device's copy (no network)
  const [q, setQ] = useState('');
  useEffect(() => {
    const load = () => api.conversations().then((r) => {
      setItems(r.items); setError(null); setKept(false);
      void keepConversations(r.items);
    }).catch(async (x) => {
      const key = currentKey();
      const copy = isApiError(x, 'network') && key ? await keptConversations(key).catch(() => null) : null;
      if (copy) { setItems((o) => o ?? copy); setKept(true); setError(null); } else setError(x);
    });
    void load();
    // A new message, a read on another device, a new conversation: the list as the server counts it.
    return onLive((e) => {
      if (e.kind === 'conversation' && e.data?.conversation) {
        // A conversation I was added to (or one that changed): its row at once, then the list as the server has it.
        const c: Conversation = e.data.conversation;
        setItems((o) => o && [c, ...o.filter((x) => x.id !== c.id)].sort((a, b) => b.last_at.localeCompare(a.last_at)));
      }
      if (e.kind === 'conversation_left') {
        const gone: string = e.data?.conversation_id;
        setItems((o) => o && o.filter((x) => x.id !== gone));
        void forgetConversation(gone).catch(() => {});
        return;
      }
      if (e.kind === 'message' || e.kind === 'read' || e.kind === 'conversation' || e.kind === 'message_updated') void load();
    });
  }, []);
  return (
    <Page title={t.messages.pageTitle}>
      {kept && <p class="offline-freshness" data-testid="messages-offline">{t.messages.offline}</p>}
      {!kept && <MessageSearch q={q} setQ={setQ} conversations={items ?? []} />}
      <ErrorNotice error={error} />
      {q.trim().length >= 2 ? null : !items && !error ? <Loading /> : items && (items.length === 0
        ? <p class="muted">{kept ? t.messages.offlineNone : t.messages.empty}</p> : (
        <ul class="plain conversation-list" data-testid="conversations">
          {items.map((c) => <Row key={c.id} c={c} />)}
        </ul>
      ))}
      {!kept && <NewConversation />}
      <PushOffer />
    </Page>
  );
}

/** Reopened without network: the conversations this device keeps, to read. */
export function OfflineMessages() {
  const [items, setItems] = useState<Conversation[] | null>(null);
  useEffect(() => {
    const key = currentKey();
    if (!key) { setItems([]); return; }
    keptConversations(key).then(setItems).catch(() => setItems([]));
  }, [storeVersion.value]);
  return (
    <Page title={t.messages.pageTitle}>
      <p class="offline-freshness" data-testid="messages-offline">{t.messages.offline}</p>
      <p class="back"><a href="/patients">{t.offline.backToPatients}</a></p>
      {!items ? <Loading /> : items.length === 0 ? <p class="muted">{t.messages.offlineNone}</p> : (
        <ul class="plain conversation-list" data-testid="conversations">
          {items.map((c) => <Row key={c.id} c={c} />)}
        </ul>
      )}
    </Page>
  );
}
