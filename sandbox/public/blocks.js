// Block Kit as Slack draws it, for the blocks carebot sends: section, context, actions, header,
// divider, image, rich_text, input; mrkdwn basics. Built with DOM calls (text is never HTML).

/** `h('button', { class: 'x', onclick }, 'text', child)` */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const EMOJI = {
  rotating_light: '🚨',
  white_check_mark: '✅',
  red_circle: '🔴',
  white_circle: '⚪',
  large_green_circle: '🟢',
  new: '🆕',
  bust_in_silhouette: '👤',
  speech_balloon: '💬',
  pencil2: '✏️',
  no_entry_sign: '🚫',
  bird: '🐦',
  link: '🔗',
  inbox_tray: '📥',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  x: '❌',
  arrows_counterclockwise: '🔄',
  mega: '📣',
  loudspeaker: '📢',
  wrench: '🔧',
  eyes: '👀',
  fire: '🔥',
  clock3: '🕒',
  alarm_clock: '⏰',
  memo: '📝',
  arrow_up: '⬆️',
  busts_in_silhouette: '👥',
  label: '🏷️',
  globe_with_meridians: '🌐',
  large_yellow_circle: '🟡',
  large_orange_circle: '🟠',
  construction: '🚧',
  tada: '🎉',
  heavy_check_mark: '✔️',
  incoming_envelope: '📨',
  email: '📧',
  lock: '🔒',
  frame_with_picture: '🖼️',
  film_frames: '🎞️',
  sound: '🔊',
  paperclip: '📎',
  wastebasket: '🗑️',
};
const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
const unescapeEntities = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Inline mrkdwn of one line: `<…>` tokens, *bold* _italic_ ~strike~ `code` (entities still escaped). */
function inline(text, names) {
  const out = [];
  const re = /<([^<>]+)>|`([^`]+)`|\*([^*\n]+)\*|(?<![\w])_([^_\n]+)_(?![\w])|~([^~\n]+)~/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(emoji(unescapeEntities(text.slice(last, m.index))));
    if (m[1] !== undefined) out.push(token(m[1], names));
    else if (m[2] !== undefined) out.push(h('code', {}, unescapeEntities(m[2])));
    else if (m[3] !== undefined) out.push(h('strong', {}, ...inline(m[3], names)));
    else if (m[4] !== undefined) out.push(h('em', {}, ...inline(m[4], names)));
    else out.push(h('s', {}, ...inline(m[5], names)));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(emoji(unescapeEntities(text.slice(last))));
  return out;
}

/** Slack's `<…>` tokens: links, user and channel mentions, dates, special mentions. */
function token(inner, names) {
  const [target, label] = inner.split('|');
  if (target.startsWith('@')) return h('span', { class: 'mention' }, `@${names?.[target.slice(1)] ?? target.slice(1)}`);
  if (target.startsWith('#')) return h('span', { class: 'mention' }, `#${label ?? target.slice(1)}`);
  if (target.startsWith('!date^')) {
    const [, epoch] = target.split('^');
    return h('time', { datetime: new Date(Number(epoch) * 1000).toISOString() }, new Date(Number(epoch) * 1000).toLocaleTimeString());
  }
  if (target.startsWith('!')) return h('span', { class: 'mention' }, `@${target.slice(1).split('^')[0]}`);
  const safe = /^(https?:|mailto:)/.test(target) ? target : undefined;
  return h('a', { href: safe, target: '_blank', rel: 'noopener noreferrer' }, unescapeEntities(label ?? target));
}

/** A mrkdwn text object as Slack renders it: lines, `>` quotes, inline styles, tokens. */
export function mrkdwn(text, names) {
  const box = h('div', { class: 'mrkdwn' });
  let quote;
  for (const rawLine of text.split('\n')) {
    const isQuote = rawLine.startsWith('&gt;') || rawLine.startsWith('>');
    const line = isQuote ? rawLine.replace(/^(&gt;|>)\s?/, '') : rawLine;
    const p = h('div', { class: 'line' }, ...inline(line, names));
    if (!line) p.append('\u00a0');
    if (isQuote) {
      quote ??= h('blockquote');
      quote.append(p);
      box.append(quote);
    } else {
      quote = undefined;
      box.append(p);
    }
  }
  return box;
}

export const textOf = (t, names) => (!t ? '' : t.type === 'mrkdwn' ? mrkdwn(t.text, names) : h('span', {}, emoji(t.text)));
const plain = (t) => (t ? emoji(t.text) : '');

/**
 * An interactive element. `act(kind, actionId, value)` sends it; `ctx` knows the people and
 * channels selects offer, and what was typed into a modal (`ctx.drafts`, by action id). Inside
 * an input block (`form`), elements only hold a value.
 */
function element(el, act, ctx, form) {
  const id = `${ctx.prefix}-${el.action_id}`;
  const draft = form ? ctx.drafts?.[el.action_id] : undefined;
  switch (el.type) {
    case 'button':
      return h(
        'button',
        { type: 'button', class: `btn ${el.style ?? ''}`, dataset: { focusKey: id }, onclick: () => act(el.action_id, el.value) },
        plain(el.text),
      );
    case 'static_select':
    case 'overflow':
    case 'users_select':
    case 'conversations_select':
    case 'multi_static_select': {
      const options =
        el.type === 'users_select'
          ? ctx.users.map((u) => ({ value: u.id, text: { text: u.name } }))
          : el.type === 'conversations_select'
            ? ctx.channels.map((c) => ({ value: c.id, text: { text: `#${c.name}` } }))
            : (el.options ?? el.option_groups?.flatMap((g) => g.options) ?? []);
      const initial =
        draft ?? el.initial_option?.value ?? el.initial_user ?? el.initial_conversation ?? (el.initial_options ?? []).map((o) => o.value);
      const label = el.type === 'overflow' ? 'More actions' : plain(el.placeholder) || 'Choose';
      // In a modal's input block the block's <label> names it.
      const select = h(
        'select',
        {
          id,
          'aria-label': form ? undefined : label,
          dataset: { actionId: el.action_id, focusKey: id },
          multiple: el.type === 'multi_static_select',
        },
        el.type === 'multi_static_select' ? [] : h('option', { value: '' }, el.type === 'overflow' ? '⋯' : label),
        options.map((o) =>
          h(
            'option',
            { value: o.value, selected: Array.isArray(initial) ? initial.includes(o.value) : initial === o.value },
            plain(o.text),
          ),
        ),
      );
      if (!form) select.addEventListener('change', () => select.value && act(el.action_id, select.value));
      return select;
    }
    case 'plain_text_input':
      return el.multiline
        ? h(
            'textarea',
            { id, rows: 3, dataset: { actionId: el.action_id }, placeholder: plain(el.placeholder) || undefined, maxlength: el.max_length },
            draft ?? el.initial_value ?? '',
          )
        : h('input', {
            id,
            dataset: { actionId: el.action_id },
            value: draft ?? el.initial_value ?? '',
            placeholder: plain(el.placeholder) || undefined,
            maxlength: el.max_length,
          });
    case 'image':
      return h('span', { class: 'image-alt' }, `[${el.alt_text ?? 'image'}]`);
    default:
      return h('span', { class: 'muted' }, `[${el.type}]`);
  }
}

/** Renders `blocks`; `act(actionId, value)` is called for buttons and menus. */
export function renderBlocks(blocks, act, ctx, errors = {}) {
  const out = h('div', { class: 'blocks' });
  for (const b of blocks ?? []) {
    switch (b.type) {
      case 'header':
        out.append(h('div', { class: 'b-header' }, plain(b.text)));
        break;
      case 'divider':
        out.append(h('hr'));
        break;
      case 'section':
        out.append(
          h(
            'div',
            { class: 'b-section' },
            h(
              'div',
              { class: 'b-section-main' },
              textOf(b.text, ctx.names),
              b.fields
                ? h(
                    'div',
                    { class: 'b-fields' },
                    b.fields.map((f) => h('div', {}, textOf(f, ctx.names))),
                  )
                : null,
            ),
            b.accessory ? element(b.accessory, act, ctx) : null,
          ),
        );
        break;
      case 'context':
        out.append(
          h(
            'div',
            { class: 'b-context' },
            (b.elements ?? []).map((e) => (e.type === 'image' ? element(e, act, ctx) : textOf(e, ctx.names))),
          ),
        );
        break;
      case 'actions':
        out.append(
          h(
            'div',
            { class: 'b-actions' },
            (b.elements ?? []).map((e) => element(e, act, ctx)),
          ),
        );
        break;
      case 'image':
        out.append(h('div', { class: 'image-alt' }, `[${b.alt_text ?? 'image'}]`));
        break;
      case 'rich_text':
        out.append(
          h(
            'div',
            {},
            JSON.stringify(b.elements ?? [])
              .match(/"text":"([^"]*)"/g)
              ?.map((s) => s.slice(8, -1))
              .join('') ?? '',
          ),
        );
        break;
      case 'input': {
        const el = element(b.element, act, ctx, true);
        const err = errors[b.block_id];
        out.append(
          h(
            'div',
            { class: `b-input${err ? ' has-error' : ''}` },
            h('label', { for: el.id }, plain(b.label), b.optional ? h('span', { class: 'muted' }, ' (optional)') : null),
            b.hint ? h('div', { class: 'muted' }, plain(b.hint)) : null,
            el,
            err ? h('div', { class: 'error', role: 'alert' }, err) : null,
          ),
        );
        break;
      }
      default:
        out.append(h('div', { class: 'muted' }, `[${b.type} block]`));
    }
  }
  return out;
}

/**
 * What a modal's inputs hold, as action id → value, for the view_submission. A text field is
 * sent even when emptied (Slack would not keep its initial value); a menu only when chosen.
 */
export function readInputs(root) {
  const values = {};
  for (const el of root.querySelectorAll('[data-action-id]')) {
    if (el.tagName === 'SELECT' && el.multiple) values[el.dataset.actionId] = [...el.selectedOptions].map((o) => o.value).join(',');
    else if (el.tagName !== 'SELECT' || el.value !== '') values[el.dataset.actionId] = el.value;
  }
  return values;
}
