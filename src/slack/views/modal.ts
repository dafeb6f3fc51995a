import type { KnownBlock, ModalView } from '@slack/web-api';

/** A carebot modal: its callback id, what it carries, and plain-text title and buttons. */
export function modal(v: {
  callbackId: string;
  title: string;
  submit: string;
  metadata: string;
  blocks: KnownBlock[];
  notifyOnClose?: boolean;
}): ModalView {
  return {
    type: 'modal',
    callback_id: v.callbackId,
    private_metadata: v.metadata,
    title: { type: 'plain_text', text: v.title },
    submit: { type: 'plain_text', text: v.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    ...(v.notifyOnClose ? { notify_on_close: true } : {}),
    blocks: v.blocks,
  };
}
