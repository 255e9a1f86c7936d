// /messages/:id — one conversation: the messages in order (mine on the right, with "Lu" or "lu par 2 sur 4"),
// live; what arrives while the page is open is marked read. The composer names each message with its own id, so a
// send that got no answer is sent again as the same message, never twice.
// A patient conversation (the care circle's) links to the record; its messages may be urgent (a deadline, then the
// referent and the on-call list are told), for the health professionals only, copied to the notebook. Any message
// may answer another (a quote of it, which leads to it) and mention members ("@" or "Mentionner"). My messages tell
// who read them. ?message=ID opens the page at that message (a search result).
// Without network the page shows the copy kept on this device (offline/messages.ts); OfflineConversation is the
// same page when the app was reopened without network (read only).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, asApiError, isApiError, newKey, type Conversation, type ConversationMember, type Message, type MessageOptions,
  type MessageReceipts } from '../api';
import { queueWrite, registerSender } from '../offline/outbox';
import { keepMessages, keptConversation } from '../offline/messages';
import { currentKey, storeVersion } from '../offline/sync';
import { getMeta } from '../offline/store';
import { Page } from '../components/Page';
import { Loading, SubmitButton } from '../components/forms';
import { ErrorNotice } from '../components/PatientBits';
import { comboKeys } from '../components/SearchCombobox';
import { ServiceIcon } from '../components/icons';
import { me } from '../state/session';
import { onLive } from '../state/live';
import { route } from '../router';
import { timeText } from './Messages';
import { t, formatDateTimeShort, formatTime } from '../i18n';

// A message written without network waits in the outbox (offline/outbox.ts, kept encrypted on the device when it has
// a store) and is sent when the network returns, with the id it was written with: the server keeps it once.
registerSender('message', (w, key) => {
  const { body, ...options } = w.input as unknown as { body: string } & MessageOptions;
  return api.sendMessage(w.patient, key, body, options);
});

interface Waiting { id: string; body: string; options: MessageOptions }

function receipt(m: Message, c: Conversation): string | null {
  if (m.recipients === undefined || m.read_by === undefined || m.recipients === 0) return null;
  const delivered = m.delivered_to ?? 0;
  if (c.kind === 'direct') return m.read_by ? t.messages.read : delivered ? t.messages.delivered : t.messages.sent;
  if (!m.read_by && delivered) return t.messages.deliveredTo(delivered, m.recipients);
  return t.messages.readBy(m.read_by, m.recipients);
}

/** Receipts from the members' cursors, as the server counts them (a message for the health professionals only is
 * counted by the server, which alone knows who may read it). */
function withReceipts(m: Message, c: Conversation): Message {
  if (m.visibility === 'health') return m;
  const others = c.members.filter((x) => x.account_id !== m.author_id && x.active);
  return {
    ...m, recipients: others.length, read_by: others.filter((x) => x.read_seq >= m.seq).length,
    delivered_to: others.filter((x) => Math.max(x.delivered_seq ?? 0, x.read_seq) >= m.seq).length,
  };
}

const memberName = (x: Pick<ConversationMember, 'first_name' | 'last_name'>) => `${x.first_name} ${x.last_name}`;
const authorName = (c: Conversation, id: string) => {
  const a = c.members.find((x) => x.account_id === id);
  return a ? memberName(a) : t.messages.someone;
};
/** "14:05" today, "05/12/2026 08:00" another day. */
const whenText = (iso: string) => (new Date(iso).toDateString() === new Date().toDateString() ? formatTime(iso) : formatDateTimeShort(iso));
const patientOf = (c: Conversation, m: Message) => (c.kind === 'patient' ? c.patient_id : null) ?? m.patient_id ?? null;

/** The deadline of an urgent message, from the choice (relative choices are counted from the moment of sending). */
function deadlineOf(choice: string, custom: string, now = new Date()): Date | null {
  const d = new Date(now);
  switch (choice) {
    case 'h1': return new Date(now.getTime() + 3600_000);
    case 'h4': return new Date(now.getTime() + 4 * 3600_000);
    case 'evening': d.setHours(18, 0, 0, 0); return d > now ? d : null;
    case 'tomorrow': d.setDate(d.getDate() + 1); d.setHours(8, 0, 0, 0); return d;
    default: { const c = custom ? new Date(custom) : null; return c && !Number.isNaN(c.getTime()) ? c : null; }
  }
}
const okDeadline = (d: Date | null) => !!d && d.getTime() > Date.now() && d.getTime() <= Date.now() + 7 * 24 * 3600_000;
/** A datetime-local value ("2026-12-04T18:00") in local time. */
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

function UrgentMark({ m }: { m: Message }) {
  const u = m.urgent;
  if (!u) return null;
  const late = Date.parse(u.deadline) <= Date.now();
  return (
    <p class="message__urgent" data-testid="urgent-mark">
      <ServiceIcon name="urgent" size={18} />
      <strong>{t.messages.urgent}</strong>
      <span>{late ? t.messages.urgentLate(whenText(u.deadline)) : t.messages.urgentDeadline(whenText(u.deadline))}</span>
      {u.escalation > 0 && <span class="message__escalation" data-testid="escalation">{t.messages.escalation[u.escalation]}</span>}
    </p>
  );
}

function Receipts({ m }: { m: Message }) {
  const [r, setR] = useState<MessageReceipts | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => { api.messageReceipts(m).then(setR).catch(setError); }, [m.id, m.seq]);
  if (error) return <ErrorNotice error={error} />;
  if (!r) return <Loading />;
  if (!r.items.length) return <p class="message__receipts muted">{t.messages.noRecipient}</p>;
  return (
    <ul class="plain message__receipts" data-testid="receipts" aria-label={t.messages.whoRead}>
      {r.items.map((x) => (
        <li key={x.account_id} class={x.read ? 'is-read' : ''}>
          {memberName(x)}{x.profession ? ` (${x.profession})` : ''} : <strong>{t.messages.readState(x.read, x.delivered)}</strong>
        </li>
      ))}
    </ul>
  );
}

function MessageItem({ m, conv, myId, parent, readOnly, onReply, onQuote, target }: {
  m: Message; conv: Conversation; myId: string | undefined; parent: Message | null | undefined; readOnly: boolean; target: boolean;
  onReply: (m: Message) => void; onQuote: (id: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [receipts, setReceipts] = useState(false);
  const [copy, setCopy] = useState<'busy' | 'done' | null>(null);
  const [copyError, setCopyError] = useState<unknown>(null);
  const mine = m.author_id === myId;
  const r = mine ? receipt(withReceipts(m, conv), conv) : null;
  const mentionsMe = !!myId && !mine && !!m.mentions?.includes(myId);
  const patient = patientOf(conv, m);
  const doCopy = async () => {
    setCopy('busy'); setCopyError(null);
    try { await api.copyMessage(m); setCopy('done'); } catch (x) { setCopy(null); setCopyError(x); }
  };
  const cls = ['message', mine && 'message--mine', mentionsMe && 'message--mention', m.urgent && 'message--urgent', target && 'message--target'].filter(Boolean).join(' ');
  return (
    <li id={`m-${m.id}`} tabIndex={-1} class={cls} data-testid="message">
      {!mine && conv.kind !== 'direct' && <span class="message__author">{authorName(conv, m.author_id)}</span>}
      {m.reply_to && (
        <a class="message__quote" href={`#m-${m.reply_to}`} data-testid="quote"
          onClick={(e) => { e.preventDefault(); onQuote(m.reply_to!); }}>
          {parent ? <>
            <span class="sr-only">{t.messages.quoteOf(authorName(conv, parent.author_id))} : </span>
            <span class="message__quote-author" aria-hidden="true">{authorName(conv, parent.author_id)}</span>
            <span class="message__quote-body">{parent.deleted ? t.messages.deleted : parent.body}</span>
          </> : <span class="message__quote-body">{t.messages.replyingTo(t.messages.olderMessage)}</span>}
        </a>
      )}
      {(m.urgent || m.visibility === 'health' || mentionsMe) && (
        <div class="message__marks">
          <UrgentMark m={m} />
          {m.visibility === 'health' && <span class="badge badge--health" data-testid="health-mark" title={t.messages.healthBadgeLong}>
            {t.messages.healthBadge}<span class="sr-only"> : {t.messages.healthBadgeLong}</span></span>}
          {mentionsMe && <span class="badge badge--mention" data-testid="mention-mark">{t.messages.mentionedMe}</span>}
        </div>
      )}
      <p class={`message__body ${m.deleted ? 'message__body--deleted' : ''}`}>{m.deleted ? t.messages.deleted : m.body}</p>
      <span class="message__meta">
        <time dateTime={m.created_at}>{timeText(m.created_at)}</time>
        {m.edited && !m.deleted && <span>{t.messages.edited}</span>}
        {r && <span data-testid="receipt">{r}</span>}
        {!readOnly && !m.deleted && (
          <button type="button" class="message__more" aria-expanded={open ? 'true' : 'false'} aria-label={t.messages.actions}
            data-testid="message-actions" onClick={() => setOpen((o) => !o)}>
            <span aria-hidden="true">⋯</span>
          </button>
        )}
      </span>
      {open && (
        <div class="message__actions">
          <button type="button" class="msg-action" onClick={() => { setOpen(false); onReply(m); }}>{t.messages.reply}</button>
          {patient && (
            <button type="button" class="msg-action" onClick={doCopy} aria-disabled={copy === 'busy' ? 'true' : undefined}>
              {copy === 'busy' ? t.messages.copying : t.messages.copy}
            </button>
          )}
          {mine && (
            <button type="button" class="msg-action" aria-expanded={receipts ? 'true' : 'false'} onClick={() => setReceipts((x) => !x)}>
              {receipts ? t.messages.hideReceipts : t.messages.whoRead}
            </button>
          )}
        </div>
      )}
      <div role="status" class="message__status">
        {copy === 'done' && patient && (
          <p class="message__copied" data-testid="copied">{t.messages.copied}{' '}
            <a href={`/patients/${encodeURIComponent(patient)}?onglet=cahier`}>{t.messages.seeNotebook}</a></p>
        )}
      </div>
      {copyError && <ErrorNotice error={copyError} />}
      {receipts && mine && <Receipts m={m} />}
    </li>
  );
}

/** The messages of a conversation, and the scroll to a message (?message=, a quote). */
function Thread({ conv, messages, waiting = [], myId, readOnly, onReply }: {
  conv: Conversation; messages: Message[]; waiting?: Waiting[]; myId: string | undefined; readOnly: boolean;
  onReply: (m: Message) => void;
}) {
  const end = useRef<HTMLDivElement>(null);
  const target = useRef<string | null>(route.value.query.get('message'));
  const [flash, setFlash] = useState<string | null>(null);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const goTo = (id: string) => {
    const el = document.getElementById(`m-${id}`);
    if (!el) return false;
    el.scrollIntoView({ block: 'center' });
    el.focus({ preventScroll: true });
    setFlash(id);
    setTimeout(() => setFlash((f) => (f === id ? null : f)), 2000);
    return true;
  };
  useEffect(() => {
    // The message asked for (a search result) once, then the end as messages arrive.
    if (target.current && goTo(target.current)) { target.current = null; return; }
    target.current = null;
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  return (
    <>
      <ol class="plain messages" data-testid="messages" aria-live="polite">
        {messages.map((m) => (
          <MessageItem key={m.id} m={m} target={flash === m.id} conv={conv} myId={myId} readOnly={readOnly}
            parent={m.reply_to ? byId.get(m.reply_to) ?? null : undefined} onReply={onReply} onQuote={goTo} />
        ))}
        {waiting.filter((w) => !byId.has(w.id)).map((w) => (
          <li key={w.id} class="message message--mine message--waiting" data-testid="message-waiting">
            <p class="message__body">{w.body}</p>
            <span class="message__meta">{t.messages.waiting}</span>
          </li>
        ))}
      </ol>
      <div ref={end} />
    </>
  );
}

function ConversationHead({ conv, myId }: { conv: Conversation; myId: string | undefined }) {
  const others = conv.members.filter((m) => m.account_id !== myId && m.active !== false);
  return (
    <>
      {conv.kind === 'patient' && conv.patient_id && (
        <p class="conversation__patient">
          <a href={`/patients/${encodeURIComponent(conv.patient_id)}`} data-testid="patient-link">
            <ServiceIcon name="patients" size={22} />{t.messages.patientRecord(conv.name ?? '')}
          </a>
        </p>
      )}
      <p class="muted conversation__members" data-testid="conversation-members">
        {others.map((m) => `${m.first_name} ${m.last_name}${m.profession ? ` (${m.profession})` : ''}`).join(', ')}
      </p>
    </>
  );
}

/** "@" or "Mentionner": an ARIA combobox over the members; the chosen one is written "@Prénom Nom" in the text. */
function MentionPicker({ members, onChoose, onClose }: {
  members: ConversationMember[]; onChoose: (m: ConversationMember) => void; onClose: () => void;
}) {
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => { input.current?.focus(); }, []);
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const items = members.filter((m) => fold(memberName(m)).includes(fold(q.trim())));
  const keys = comboKeys({ open: true, setOpen: (o) => { if (!o) onClose(); }, active, setActive, items, choose: onChoose });
  const listId = 'mention-list';
  return (
    <div class="mention-picker" data-testid="mention-picker">
      <label for="mention-input">{t.messages.mentionWho}</label>
      <p class="hint" id="mention-hint">{t.messages.mentionHint}</p>
      <input id="mention-input" ref={input} type="text" role="combobox" aria-autocomplete="list" aria-expanded="true"
        aria-controls={listId} aria-describedby="mention-hint" autocomplete="off" value={q}
        aria-activedescendant={items[active] ? `${listId}-${active}` : undefined}
        onInput={(e) => { setQ((e.currentTarget as HTMLInputElement).value); setActive(0); }}
        onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); onClose(); } else keys(e); }} />
      <ul id={listId} role="listbox" aria-label={t.messages.mentionWho} class="combo__list mention-picker__list">
        {items.map((m, i) => (
          <li id={`${listId}-${i}`} key={m.account_id} role="option" aria-selected={i === active ? 'true' : 'false'}
            class={i === active ? 'combo__option is-active' : 'combo__option'} onMouseDown={(e) => { e.preventDefault(); onChoose(m); }}>
            <span class="combo__name">{memberName(m)}</span>
            {m.profession && <span class="combo__meta">{m.profession}</span>}
          </li>
        ))}
      </ul>
      <p class="sr-only" role="status">{t.messages.mentionResults(items.length)}</p>
      <button type="button" class="msg-action" onClick={onClose}>{t.messages.closeMention}</button>
    </div>
  );
}

function Composer({ conv, myId, replyTo, setReplyTo, onSent, onWaiting }: {
  conv: Conversation; myId: string | undefined; replyTo: Message | null; setReplyTo: (m: Message | null) => void;
  onSent: (m: Message) => void; onWaiting: (w: Waiting) => void;
}) {
  const [body, setBody] = useState('');
  const [key, setKey] = useState(newKey);
  const [busy, setBusy] = useState(false);
  const [sendError, setSendError] = useState<unknown>(null);
  const [health, setHealth] = useState(false);
  const [urgent, setUrgent] = useState(false);
  const [choice, setChoice] = useState('h1');
  const [custom, setCustom] = useState('');
  const [urgentError, setUrgentError] = useState<string | null>(null);
  const [mentions, setMentions] = useState<ConversationMember[]>([]);
  const [picking, setPicking] = useState<number | null>(null);  // where the "@" was typed (or the caret)
  const text = useRef<HTMLTextAreaElement>(null);
  const patientConv = conv.kind === 'patient';
  const others = conv.members.filter((m) => m.account_id !== myId && m.active !== false);
  const evening = new Date().getHours() < 17;
  const choices = ['h1', 'h4', ...(evening ? ['evening'] : []), 'tomorrow', 'custom'];
  const deadline = urgent ? deadlineOf(choice, custom) : null;

  useEffect(() => { if (replyTo) text.current?.focus(); }, [replyTo]);

  const choose = (m: ConversationMember) => {
    const at = picking ?? body.length;
    const typedAt = body[at] === '@';
    const before = body.slice(0, at), after = body.slice(typedAt ? at + 1 : at);
    const word = `@${memberName(m)} `;
    const next = `${before}${before && !/\s$/.test(before) ? ' ' : ''}${word}${after}`;
    setBody(next);
    setMentions((o) => (o.some((x) => x.account_id === m.account_id) ? o : [...o, m]));
    setPicking(null);
    requestAnimationFrame(() => {
      const el = text.current;
      if (!el) return;
      el.focus();
      const pos = next.length - after.length;
      el.setSelectionRange(pos, pos);
    });
  };
  const closePicker = () => { setPicking(null); requestAnimationFrame(() => text.current?.focus()); };

  const send = async (e: Event) => {
    e.preventDefault();
    const value = body.trim();
    if (!value || busy) return;
    const options: MessageOptions = {};
    if (replyTo) options.reply_to = replyTo.id;
    if (health && conv.may_restrict) options.visibility = 'health';
    if (urgent && patientConv) {
      const d = deadlineOf(choice, custom);
      if (!okDeadline(d)) { setUrgentError(t.messages.urgentInvalid); return; }
      options.urgent_until = d!.toISOString();
    }
    const named = mentions.filter((m) => value.includes(`@${memberName(m)}`)).map((m) => m.account_id);
    if (named.length) options.mentions = named;
    setUrgentError(null);
    setBusy(true);
    setSendError(null);
    const reset = () => {
      setBody(''); setKey(newKey()); setReplyTo(null); setMentions([]); setUrgent(false); setHealth(false);
    };
    try {
      onSent(await api.sendMessage(conv.id, key, value, options));
      reset();
    } catch (x) {
      if (isApiError(x, 'network')) {
        // No network: it waits on the device with its id (and in the outbox, which outlives the page).
        onWaiting({ id: key, body: value, options });
        void queueWrite('message', conv.id, { body: value, ...options }, key).catch(() => { /* no store on this device: the page keeps it */ });
        reset();
      } else {
        setSendError(x);  // the same key: sending again cannot make a second message
      }
    } finally { setBusy(false); }
  };

  return (
    <form class="composer" onSubmit={send} aria-busy={busy ? 'true' : undefined} data-testid="composer">
      {replyTo && (
        <div class="composer__reply" data-testid="replying">
          <p><strong>{t.messages.replyingTo(authorName(conv, replyTo.author_id))}</strong> : <span class="composer__reply-body">{replyTo.body}</span></p>
          <button type="button" class="msg-action" onClick={() => setReplyTo(null)}>{t.messages.cancelReply}</button>
        </div>
      )}
      <label for="composer-text" class="sr-only">{t.messages.write}</label>
      <textarea id="composer-text" ref={text} name="body" rows={2} maxLength={4000} placeholder={t.messages.write} value={body}
        onInput={(e) => {
          const el = e.currentTarget as HTMLTextAreaElement;
          const v = el.value, at = (el.selectionStart ?? v.length) - 1;
          setBody(v);
          // "@" at the start of a word opens the list of the members.
          if (v[at] === '@' && (at === 0 || /\s/.test(v[at - 1])) && v.length > body.length) setPicking(at);
        }}
        onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e); }} />
      {conv.kind !== 'direct' && others.length > 0 && (
        <button type="button" class="icon-action" aria-label={t.messages.mention} aria-expanded={picking !== null ? 'true' : 'false'}
          onClick={() => (picking !== null ? closePicker() : setPicking(text.current?.selectionStart ?? body.length))}>
          <span aria-hidden="true">@</span>
        </button>
      )}
      <SubmitButton busy={busy} label={t.messages.send} busyLabel={t.messages.sending} />
      {picking !== null && <MentionPicker members={others} onChoose={choose} onClose={closePicker} />}
      {mentions.length > 0 && (
        <ul class="plain chips composer__mentions" aria-label={t.messages.mentioned}>
          {mentions.map((m) => (
            <li key={m.account_id} class="chip">@{memberName(m)}
              <button type="button" class="icon-action" aria-label={t.messages.removeMention(memberName(m))}
                onClick={() => { setMentions((o) => o.filter((x) => x.account_id !== m.account_id)); setBody((b) => b.replace(`@${memberName(m)} `, '')); }}>×</button>
            </li>
          ))}
        </ul>
      )}
      {patientConv && <div class="composer__options">
        {patientConv && conv.may_restrict && (
          <label class="toggle"><input type="checkbox" checked={health} onChange={(e) => setHealth((e.currentTarget as HTMLInputElement).checked)} />
            {t.messages.healthOnly}</label>
        )}
        {patientConv && (
          <label class="toggle toggle--urgent"><input type="checkbox" checked={urgent}
            onChange={(e) => { setUrgent((e.currentTarget as HTMLInputElement).checked); setUrgentError(null); }} />
            {t.messages.urgent}</label>
        )}
        {urgent && patientConv && <>
          <label class="sr-only" for="urgent-when">{t.messages.urgentWhen}</label>
          <select id="urgent-when" class="composer__when" value={choice} aria-describedby="urgent-deadline"
            onChange={(e) => { const v = (e.currentTarget as HTMLSelectElement).value; setChoice(v);
              if (v === 'custom' && !custom) setCustom(localInput(new Date(Date.now() + 2 * 3600_000))); }}>
            {choices.map((c) => <option key={c} value={c}>{t.messages.urgentChoices[c]}</option>)}
          </select>
          {choice === 'custom' && <>
            <label class="sr-only" for="urgent-custom">{t.messages.urgentCustom}</label>
            <input id="urgent-custom" type="datetime-local" class="composer__when" value={custom} min={localInput(new Date())}
              max={localInput(new Date(Date.now() + 7 * 24 * 3600_000))} onInput={(e) => setCustom((e.currentTarget as HTMLInputElement).value)} />
          </>}
          <span id="urgent-deadline" class="composer__deadline" data-testid="urgent-deadline">
            {okDeadline(deadline) ? t.messages.urgentDeadline(whenText(deadline!.toISOString())) : t.messages.urgentInvalid}
          </span>
        </>}
      </div>}
      {urgentError && <p class="notice notice--error" role="alert">{urgentError}</p>}
      {sendError && <p class="notice notice--error" role="alert">{asApiError(sendError).title}
        {asApiError(sendError).errors.length ? ` (${asApiError(sendError).errors.map((f) => f.message).join(' ; ')})` : ''} — {t.messages.retry}</p>}
    </form>
  );
}

export function ConversationPage({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const [conv, setConv] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [kept, setKept] = useState(false);  // shown from the device's copy (no network)
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [waiting, setWaiting] = useState<Waiting[]>([]);
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
    }).catch(async (x) => {
      const key = currentKey();
      const copy = isApiError(x, 'network') && key ? await keptConversation(key, id).catch(() => null) : null;
      if (!alive) return;
      if (copy) { setConv(copy.conversation); setMessages(copy.messages); setKept(true); } else setError(x);
    });
    const off = onLive((e) => {
      if (e.kind === 'conversation' && e.data?.conversation?.id === id) {
        setConv((c) => c && { ...c, ...e.data.conversation, may_restrict: c.may_restrict, name: c.name });
        return;
      }
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
      } else if (e.kind === 'delivered') {
        setConv((c) => c && { ...c, members: c.members.map((x) => (x.account_id === e.data.account_id ? { ...x, delivered_seq: e.data.delivered_seq } : x)) });
      } else if (e.kind === 'urgent_escalated') {
        setMessages((o) => o && o.map((x) => (x.id === e.data.message_id && x.urgent ? { ...x, urgent: { ...x.urgent, escalation: e.data.step } } : x)));
      } else if (e.kind === 'conversation_left') {
        setConv((c) => c && { ...c, active: false });
      }
    });
    return () => { alive = false; off(); };
  }, [id]);

  // What the page shows is what this device keeps of the conversation (once a second at most).
  useEffect(() => {
    if (!conv || !messages || kept) return;
    const timer = setTimeout(() => { void keepMessages(conv, messages).catch(() => {}); }, 1000);
    return () => clearTimeout(timer);
  }, [conv, messages, kept]);

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
          arrived(await api.sendMessage(id, w.id, w.body, w.options));
          setWaiting((o) => o.filter((x) => x.id !== w.id));
        } catch { return; }
      }
    };
    window.addEventListener('online', retry);
    const every = setInterval(retry, 10_000);
    void retry();
    return () => { stopped = true; window.removeEventListener('online', retry); clearInterval(every); };
  }, [waiting, id]);

  if (error) return <Page title={t.messages.pageTitle}><ErrorNotice error={error} /></Page>;
  if (!conv || !messages) return <Page title={t.messages.pageTitle}><Loading /></Page>;
  return (
    <Page title={conv.name ?? t.messages.pageTitle}>
      {kept && <p class="offline-freshness" data-testid="messages-offline">{t.messages.offline}</p>}
      <ConversationHead conv={conv} myId={myId} />
      <Thread conv={conv} messages={messages} waiting={waiting} myId={myId} readOnly={kept} onReply={setReplyTo} />
      {conv.active === false ? <p class="notice">{t.messages.left}</p> : (
        <Composer conv={conv} myId={myId} replyTo={replyTo} setReplyTo={setReplyTo} onSent={arrived}
          onWaiting={(w) => setWaiting((o) => [...o, w])} />
      )}
    </Page>
  );
}

/** Reopened without network: the conversation as this device keeps it, to read. */
export function OfflineConversation({ params = [] }: { params?: string[] }) {
  const id = params[0];
  const [data, setData] = useState<{ conversation: Conversation; messages: Message[] } | null | undefined>(undefined);
  const [myId, setMyId] = useState<string | undefined>();
  useEffect(() => {
    const key = currentKey();
    if (!key) { setData(null); return; }
    void getMeta().then((m) => setMyId(m?.account)).catch(() => {});
    keptConversation(key, id).then(setData).catch(() => setData(null));
  }, [id, storeVersion.value]);
  if (data === undefined) return <Page title={t.messages.pageTitle}><Loading /></Page>;
  return (
    <Page title={data?.conversation.name ?? t.messages.pageTitle}>
      <p class="offline-freshness" data-testid="messages-offline">{t.messages.offline}</p>
      <p class="back"><a href="/messages">{t.messages.backToList}</a></p>
      {!data ? <p class="muted">{t.messages.offlineNotKept}</p> : <>
        <ConversationHead conv={data.conversation} myId={myId} />
        <Thread conv={data.conversation} messages={data.messages} myId={myId} readOnly onReply={() => {}} />
        <p class="muted">{t.messages.offlineReadOnly}</p>
      </>}
    </Page>
  );
}
