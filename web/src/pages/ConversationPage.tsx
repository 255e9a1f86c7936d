// /messages/:id — one conversation: the messages in order (mine on the right, with "Lu" or "lu par 2 sur 4"),
// live; what arrives while the page is open is marked read. The composer names each message with its own id, so a
// send that got no answer is sent again as the same message, never twice.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, asApiError, isApiError, newKey, type Conversation, type Message } from '../api';
import { queueWrite, registerSender } from '../offline/outbox';
import { Page } from '../components/Page';
import { Loading, SubmitButton } from '../components/forms';
import { ErrorNotice } from '../components/PatientBits';
import { me } from '../state/session';
import { onLive } from '../state/live';
import { timeText } from './Messages';
import { t } from '../i18n';

// A message written without network waits in the outbox (offline/outbox.ts, kept encrypted on the device when it has
// a store) and is sent when the network returns, with the id it was written with: the server keeps it once.
registerSender('message', (w, key) => api.sendMessage(w.patient, key, (w.input as unknown as { body: string }).body));

interface Waiting { id: string; body: string }

function receipt(m: Message, c: Conversation): string | null {
  if (m.recipients === undefined || m.read_by === undefined || m.recipients === 0) return null;
  if (c.kind === 'direct') return m.read_by ? t.messages.read : t.messages.sent;
  return t.messages.readBy(m.read_by, m.recipients);
}

/** Receipts from the members' cursors, as the server counts them. */
function withReceipts(m: Message, c: Conversation): Message {
  const others = c.members.filter((x) => x.account_id !== m.author_id && x.active);
  return { ...m, recipients: others.length, read_by: others.filter((x) => x.read_seq >= m.seq).length };
}

export function ConversationPage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const [conv, setConv] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [body, setBody] = useState('');
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);
  const [waiting, setWaiting] = useState<Waiting[]>([]);
  const end = useRef<HTMLDivElement>(null);
  const myId = me.value?.id;

  const markRead = (list: Message[]) => {
    const last = list.at(-1);
    if (last && document.visibilityState === 'visible') void api.readConversation(id, last.seq).catch(() => {});
  };

  useEffect(() => {
    let alive = true;
    Promise.all([api.conversation(id), api.messages(id, { limit: 100 })]).then(([c, page]) => {
      if (!alive) return;
      setConv(c);
      setMessages(page.items);
      markRead(page.items);
    }).catch(setError);
    const off = onLive((e) => {
      if (e.data?.conversation_id !== id) return;
      if (e.kind === 'message' || e.kind === 'message_updated') {
        const m: Message = e.data.message;
        setMessages((o) => {
          const list = o ?? [];
          const i = list.findIndex((x) => x.id === m.id);
          const next = i >= 0 ? list.map((x) => (x.id === m.id ? { ...x, ...m } : x)) : [...list, m].sort((a, b) => a.seq - b.seq);
          if (e.kind === 'message' && m.author_id !== myId) markRead(next);
          return next;
        });
      } else if (e.kind === 'read') {
        setConv((c) => c && { ...c, members: c.members.map((x) => (x.account_id === e.data.account_id ? { ...x, read_seq: e.data.read_seq } : x)) });
      }
    });
    return () => { alive = false; off(); };
  }, [id]);

  useEffect(() => { end.current?.scrollIntoView({ block: 'end' }); }, [messages?.length]);

  const arrived = (m: Message) =>
    setMessages((o) => (o ?? []).some((x) => x.id === m.id) ? o : [...(o ?? []), m].sort((a, b) => a.seq - b.seq));

  // The waiting messages go, in order, as soon as the network is back (and every 10 s, as 'online' is not always told).
  useEffect(() => {
    if (!waiting.length) return;
    let stopped = false;
    const retry = async () => {
      for (const w of waiting) {
        if (stopped || !navigator.onLine) return;
        try {
          arrived(await api.sendMessage(id, w.id, w.body));
          setWaiting((o) => o.filter((x) => x.id !== w.id));
        } catch { return; }
      }
    };
    window.addEventListener('online', retry);
    const every = setInterval(retry, 10_000);
    void retry();
    return () => { stopped = true; window.removeEventListener('online', retry); clearInterval(every); };
  }, [waiting, id]);

  const send = async (e: Event) => {
    e.preventDefault();
    const text = body.trim();
    if (!text || busy) return;
    setBusy(true);
    setSendError(null);
    try {
      arrived(await api.sendMessage(id, key, text));
      setBody('');
      setKey(newKey());
    } catch (x) {
      if (isApiError(x, 'network')) {
        // No network: it waits on the device with its id (and in the outbox, which outlives the page).
        setWaiting((o) => [...o, { id: key, body: text }]);
        void queueWrite('message', id, { body: text }, key).catch(() => { /* no store on this device: the page keeps it */ });
        setBody('');
        setKey(newKey());
      } else {
        setSendError(x);  // the same key: sending again cannot make a second message
      }
    } finally { setBusy(false); }
  };

  if (error) return <Page title={t.messages.pageTitle}><ErrorNotice error={error} /></Page>;
  if (!conv || !messages) return <Page title={t.messages.pageTitle}><Loading /></Page>;
  const others = conv.members.filter((m) => m.account_id !== myId);
  return (
    <Page title={conv.name ?? t.messages.pageTitle}>
      <p class="muted conversation__members" data-testid="conversation-members">
        {others.map((m) => `${m.first_name} ${m.last_name}${m.profession ? ` (${m.profession})` : ''}`).join(', ')}
      </p>
      <ol class="plain messages" data-testid="messages" aria-live="polite">
        {messages.map((m) => {
          const mine = m.author_id === myId;
          const author = conv.members.find((x) => x.account_id === m.author_id);
          const r = mine ? receipt(withReceipts(m, conv), conv) : null;
          return (
            <li key={m.id} class={`message ${mine ? 'message--mine' : ''}`} data-testid="message">
              {!mine && conv.kind === 'group' && <span class="message__author">{author ? `${author.first_name} ${author.last_name}` : ''}</span>}
              <p class={`message__body ${m.deleted ? 'message__body--deleted' : ''}`}>{m.deleted ? t.messages.deleted : m.body}</p>
              <span class="message__meta">
                <time dateTime={m.created_at}>{timeText(m.created_at)}</time>
                {m.edited && !m.deleted && <span>{t.messages.edited}</span>}
                {r && <span data-testid="receipt">{r}</span>}
              </span>
            </li>
          );
        })}
        {waiting.filter((w) => !messages.some((m) => m.id === w.id)).map((w) => (
          <li key={w.id} class="message message--mine message--waiting" data-testid="message-waiting">
            <p class="message__body">{w.body}</p>
            <span class="message__meta">{t.messages.waiting}</span>
          </li>
        ))}
      </ol>
      <div ref={end} />
      {conv.active === false ? <p class="notice">{t.messages.left}</p> : (
        <form class="composer" onSubmit={send} aria-busy={busy ? 'true' : undefined}>
          <label for="composer-text" class="sr-only">{t.messages.write}</label>
          <textarea id="composer-text" name="body" rows={2} maxLength={4000} placeholder={t.messages.write} value={body}
            onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e); }} />
          <SubmitButton busy={busy} label={t.messages.send} busyLabel={t.messages.sending} />
          {sendError && <p class="notice notice--error" role="alert">{asApiError(sendError).title} — {t.messages.retry}</p>}
        </form>
      )}
    </Page>
  );
}
