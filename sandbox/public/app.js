// The sandbox page: renders the live state (Server-Sent Events from /sandbox/api/events) and
// sends what the visitor does to the sandbox, which turns it into Slack's or a network's requests.
import { h, mrkdwn, readInputs, renderBlocks } from './blocks.js';

const $ = (id) => document.getElementById(id);
let state;
let current = 'C0INBOX001';
let openThread; // { channel, ts }
let shownModal = ''; // the modal on screen, as id + hash, so typing is not wiped by updates
let focusBeforeModal; // where keyboard focus goes back to when the modal closes
let followed = 0; // the scenario's last focus the page turned to
const seen = {}; // messages per channel already looked at

async function post(path, body = {}) {
  const res = await fetch(`api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) toast(answer.error ?? `failed: ${res.status}`);
  return res.ok ? answer : undefined;
}
function toast(text) {
  $('toast').textContent = text;
  setTimeout(() => {
    if ($('toast').textContent === text) $('toast').textContent = '';
  }, 6000);
}

const ctx = (prefix) => ({
  prefix,
  names: { [state.agent.id]: state.agent.name, U0CAREBOT1: 'carebot' },
  users: [state.agent],
  channels: state.slack.channels,
});

/**
 * Re-renders `target` with `build()`, keeping keyboard focus on the same control. With
 * `stickToEnd`, a list read to its end stays there as messages arrive, as Slack's do.
 */
function rerender(target, build, { stickToEnd = false } = {}) {
  const atEnd = target.scrollHeight - target.scrollTop - target.clientHeight < 40;
  const key = document.activeElement?.dataset?.focusKey;
  target.replaceChildren(...[build()].flat().filter(Boolean));
  if (key) target.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
  if (stickToEnd && atEnd) target.scrollTop = target.scrollHeight;
}

function messageView(channel, m, inThread) {
  const act = (actionId, value) => post('slack/click', { channel, ts: m.ts, actionId, ...(value !== undefined ? { value } : {}) });
  const body = m.blocks ? renderBlocks(m.blocks, act, ctx(`${channel}-${m.ts}`)) : mrkdwn(m.text, ctx('').names);
  const replies = m.replies?.length ?? 0;
  return h(
    'article',
    { class: `message${m.bot ? ' bot' : ''}`, 'aria-label': `${m.author}: ${m.text.slice(0, 80)}` },
    h(
      'div',
      { class: 'meta' },
      h('strong', {}, m.author),
      m.bot ? h('span', { class: 'badge' }, 'APP') : null,
      h('time', {}, new Date(Number(m.ts) * 1000).toLocaleTimeString()),
      m.edited ? h('span', { class: 'muted' }, '(edited)') : null,
    ),
    body,
    inThread
      ? null
      : h(
          'button',
          { type: 'button', class: 'link', dataset: { focusKey: `thread-${m.ts}` }, onclick: () => showThread(channel, m.ts) },
          replies ? `${replies} ${replies === 1 ? 'reply' : 'replies'}` : 'Reply in thread',
        ),
  );
}

function ephemeralView(e) {
  const act = (actionId) => post('slack/click-ephemeral', { id: e.id, actionId });
  return h(
    'article',
    { class: 'message ephemeral' },
    h('div', { class: 'meta' }, h('strong', {}, 'carebot'), h('span', { class: 'muted' }, 'Only visible to you')),
    e.blocks.length ? renderBlocks(e.blocks, act, ctx(`eph-${e.id}`)) : mrkdwn(e.text),
  );
}

function renderChannels() {
  rerender($('channels'), () =>
    state.slack.channels.map((c) => {
      const unread = c.messages.length - (seen[c.id] ?? 0);
      return h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: `channel-link${c.id === current ? ' active' : ''}`,
            'aria-current': c.id === current ? 'page' : undefined,
            dataset: { focusKey: `ch-${c.id}` },
            onclick: () => showChannel(c.id),
          },
          `# ${c.name}`,
          unread > 0 && c.id !== current ? h('span', { class: 'unread', 'aria-label': `${unread} new` }, String(unread)) : null,
        ),
      );
    }),
  );
}

function renderConversation() {
  if (current === 'home') {
    $('channel-title').textContent = 'carebot — Home';
    $('channel-composer').hidden = true;
    const home = state.slack.home;
    rerender($('messages'), () =>
      home
        ? renderBlocks(
            home.blocks,
            (actionId, value) => post('slack/view-click', { viewId: home.id, actionId, ...(value !== undefined ? { value } : {}) }),
            ctx('home'),
          )
        : h('p', { class: 'muted' }, 'Opening App Home…'),
    );
    return;
  }
  const channel = state.slack.channels.find((c) => c.id === current);
  seen[current] = channel.messages.length;
  $('channel-title').textContent = `# ${channel.name}`;
  $('channel-composer').hidden = false;
  const ephemerals = state.slack.ephemerals.filter((e) => e.channel === current && !e.threadTs);
  rerender(
    $('messages'),
    () =>
      channel.messages.length || ephemerals.length
        ? [...channel.messages.map((m) => messageView(current, m)), ...ephemerals.map(ephemeralView)]
        : h('p', { class: 'muted' }, 'No messages yet.'),
    { stickToEnd: true },
  );
}

function renderThread() {
  if (!openThread) return;
  const channel = state.slack.channels.find((c) => c.id === openThread.channel);
  const root = channel?.messages.find((m) => m.ts === openThread.ts);
  if (!root) return;
  const ephemerals = state.slack.ephemerals.filter((e) => e.channel === openThread.channel && e.threadTs === openThread.ts);
  rerender(
    $('thread-messages'),
    () => [
      messageView(openThread.channel, root, true),
      h('hr'),
      ...root.replies.map((r) => messageView(openThread.channel, r, true)),
      ...ephemerals.map(ephemeralView),
    ],
    { stickToEnd: true },
  );
}

function renderModal() {
  const dialog = $('modal');
  const modal = state.slack.modals.at(-1);
  const key = modal ? `${modal.id}:${modal.hash}:${JSON.stringify(modal.errors)}:${JSON.stringify(modal.drafts)}` : '';
  if (key === shownModal) return;
  shownModal = key;
  if (!modal) {
    if (dialog.open) dialog.close();
    if (focusBeforeModal?.isConnected) focusBeforeModal.focus();
    focusBeforeModal = undefined;
    return;
  }
  const form = h('form', { method: 'dialog', class: 'modal-form' });
  form.append(
    h('h2', { id: 'modal-title' }, modal.title?.text ?? 'carebot'),
    renderBlocks(
      modal.blocks,
      (actionId, value) => post('slack/view-click', { viewId: modal.id, actionId, ...(value !== undefined ? { value } : {}) }),
      { ...ctx(`modal-${modal.id}`), drafts: modal.drafts },
      modal.errors,
    ),
    h(
      'div',
      { class: 'row end' },
      h('button', { type: 'button', onclick: () => post('slack/close', { viewId: modal.id }) }, modal.close?.text ?? 'Cancel'),
      modal.submit ? h('button', { type: 'submit', class: 'primary' }, modal.submit.text) : null,
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    post('slack/submit', { viewId: modal.id, inputs: readInputs(form) });
  });
  dialog.replaceChildren(form);
  if (!dialog.open) {
    focusBeforeModal = document.activeElement;
    dialog.showModal();
  }
  form.querySelector('input, textarea, select')?.focus();
}

/** Posts with the ones that answer them nested below, as each network threads them. */
function threaded(posts, render) {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const children = new Map();
  for (const p of posts) if (p.replyTo && byId.has(p.replyTo)) children.set(p.replyTo, [...(children.get(p.replyTo) ?? []), p]);
  const item = (p) => h('li', {}, render(p), children.has(p.id) ? h('ol', { class: 'replies' }, children.get(p.id).map(item)) : null);
  const roots = posts.filter((p) => !p.replyTo || !byId.has(p.replyTo)).sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  return roots.map(item);
}

/** A post on a network: `x` (a tweet), `x-dm` (a direct message on X) or `discord`. */
function post_(p, network) {
  const onX = network !== 'discord';
  return h(
    'article',
    { class: `post${p.fromBrand ? ' brand' : ''}`, dataset: { network } },
    h(
      'div',
      { class: 'meta' },
      h('strong', {}, onX ? `@${p.author}` : p.author),
      p.fromBrand ? h('span', { class: 'badge' }, onX ? 'brand' : 'BOT') : null,
      network === 'discord' && state.discord.crossposted.includes(p.id)
        ? h('span', { class: 'muted' }, 'published to following servers')
        : null,
    ),
    p.text ? h('p', { class: 'post-text' }, p.text) : null,
    // The file by its name only: the sandbox's attachments are never fetched, so no link to follow.
    p.attachment
      ? h(
          'p',
          { class: 'attachment' },
          h('span', { 'aria-hidden': 'true' }, '📎 '),
          h('span', { class: 'file-name', title: 'Attached file (not downloaded in the sandbox)' }, p.attachment),
        )
      : null,
    network === 'x' && p.fromBrand ? h('button', { type: 'button', class: 'link', onclick: () => replyAsCustomer(p) }, 'Reply') : null,
  );
}

/** Each customer's DM conversation with the brand, as X's Messages shows it: oldest first. */
function dmConversations() {
  return state.x.dms.length
    ? state.x.dms.map((c) =>
        h(
          'section',
          { class: 'dm-conversation', 'aria-label': `Direct messages between @${c.with} and @${state.x.brand}` },
          h('h5', {}, `@${c.with} `, h('span', { class: 'muted' }, `and @${state.x.brand}`)),
          h(
            'ol',
            { class: 'timeline' },
            c.messages.map((m) => h('li', {}, post_(m, 'x-dm'))),
          ),
        ),
      )
    : h('p', { class: 'muted' }, 'No direct messages yet: tick "Send as a direct message" above.');
}

function renderCustomers() {
  $('x-brand').textContent = `(the brand is @${state.x.brand})`;
  rerender($('x-timeline'), () =>
    state.x.posts.length
      ? threaded(state.x.posts, (p) => post_(p, 'x'))
      : h('li', { class: 'muted' }, 'No tweets yet: tweet at the brand above.'),
  );
  rerender($('x-dms'), dmConversations);
  rerender($('discord-channels'), () =>
    state.discord.channels.map((c) =>
      h(
        'section',
        { class: 'discord-channel' },
        h('h4', {}, c.name),
        h(
          'ol',
          { class: 'timeline' },
          threaded(c.posts, (p) => post_(p, 'discord')),
        ),
      ),
    ),
  );
}

function renderScenario() {
  const s = state.scenario;
  $('play').disabled = s.played;
  $('play').textContent = s.running ? 'Scenario playing…' : s.played ? 'Scenario played' : 'Play scenario';
  rerender(
    $('scenario-steps'),
    () => [...s.steps.map((t) => h('li', {}, t)), s.error ? h('li', { class: 'error' }, `Stopped: ${s.error}`) : null],
    { stickToEnd: true },
  );
}

/** Turns to where the scenario acts, once per new place, so the visitor may look elsewhere after. */
function followScenario() {
  const focus = state.scenario.focus;
  if (!focus || focus.seq === followed) return;
  followed = focus.seq;
  current = focus.channel;
  if (focus.threadTs) showThread(focus.channel, focus.threadTs, false);
  else closeThread();
}

function render() {
  followScenario();
  renderChannels();
  renderConversation();
  renderThread();
  renderModal();
  renderCustomers();
  renderScenario();
}

function showChannel(id) {
  current = id;
  render();
  if (id === 'home') post('slack/home');
}
function showThread(channel, ts, focusComposer = true) {
  openThread = { channel, ts };
  $('thread').hidden = false;
  renderThread();
  if (focusComposer) $('thread-text').focus();
}
/** The customer answers the brand's tweet: as the customer it answered, unless the visitor types another name. */
function replyAsCustomer(p) {
  const answered = state.x.posts.find((q) => q.id === p.replyTo && !q.fromBrand);
  if (answered) $('tweet-handle').value = answered.author;
  setDm(false);
  $('tweet-reply-to').value = p.id;
  $('tweet-replying').hidden = false;
  $('tweet-replying-to').textContent = `Replying to @${p.author}: “${p.text.slice(0, 60)}”`;
  $('tweet-text').focus();
}
function cancelReply() {
  $('tweet-reply-to').value = '';
  $('tweet-replying').hidden = true;
}
/** The X form sends a tweet, or with `dm` a direct message to the brand (no reply, up to 10,000 characters). */
function setDm(dm) {
  $('tweet-dm').checked = dm;
  if (dm) cancelReply();
  $('tweet-text').maxLength = dm ? 10000 : 280;
  $('tweet-text').placeholder = dm ? `A private message to @${state?.x.brand ?? 'acme'} …` : '@acme …';
  $('tweet-submit').textContent = dm ? 'Send DM' : 'Tweet';
}
$('tweet-dm').addEventListener('change', (ev) => setDm(ev.target.checked));
$('tweet-reply-cancel').addEventListener('click', () => {
  cancelReply();
  $('tweet-text').focus();
});
$('discord-photo').addEventListener('change', (ev) => {
  // A photo alone is a message.
  $('discord-text').required = !ev.target.checked;
});

$('open-home').addEventListener('click', () => showChannel('home'));
function closeThread() {
  openThread = undefined;
  $('thread').hidden = true;
}
$('close-thread').addEventListener('click', closeThread);
$('play').addEventListener('click', () => post('scenario/play'));
$('modal').addEventListener('cancel', (ev) => {
  ev.preventDefault();
  const modal = state.slack.modals.at(-1);
  if (modal) post('slack/close', { viewId: modal.id });
});
$('thread-composer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('thread-text').value.trim();
  if (text && (await post('slack/write', { channel: openThread.channel, threadTs: openThread.ts, text }))) $('thread-text').value = '';
});
$('channel-composer').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const text = $('channel-text').value.trim();
  if (text && (await post('slack/write', { channel: current, text }))) $('channel-text').value = '';
});
$('tweet-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const username = $('tweet-handle').value.trim();
  const text = $('tweet-text').value.trim();
  const inReplyTo = $('tweet-reply-to').value;
  const ok = $('tweet-dm').checked
    ? await post('x/dm', { username, text })
    : await post('x/tweet', { username, text, ...(inReplyTo ? { inReplyTo } : {}) });
  if (ok) {
    $('tweet-text').value = '';
    cancelReply();
  }
});
$('discord-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const where = new FormData(ev.target).get('where');
  const attachment = $('discord-photo').checked;
  const ok = await post('discord/message', {
    username: $('discord-name').value.trim(),
    text: $('discord-text').value.trim(),
    where,
    ...(attachment ? { attachment } : {}),
  });
  if (ok) {
    $('discord-text').value = '';
    $('discord-photo').checked = false;
    $('discord-text').required = true;
  }
});

new EventSource('api/events').addEventListener('state', (ev) => {
  state = JSON.parse(ev.data);
  render();
});
