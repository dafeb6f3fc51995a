import { describe, expect, it } from 'vitest';
import { createTriage } from '../../src/triage/index.js';

const triage = createTriage();
const judge = (text: string) => triage.triage({ text });

describe('language detection and per-language lexicons', () => {
  it.each([
    ['en', 'my package still has not arrived and nobody answers', 'negative'],
    ['es', 'mi pedido todavía no ha llegado y nadie me responde', 'negative'],
    ['fr', "mon colis n'est toujours pas arrivé, c'est inadmissible", 'negative'],
    ['de', 'meine Bestellung ist immer noch nicht angekommen, das ist ärgerlich', 'negative'],
    ['pt', 'o meu pedido ainda não chegou, estou muito chateado', 'negative'],
    ['it', 'il mio ordine non è ancora arrivato, che delusione', 'negative'],
    ['ar', 'طلبي لم يصل بعد وخدمة العملاء سيئة جدا', 'negative'],
    ['hi', 'मेरा ऑर्डर अभी तक नहीं आया, बहुत बुरा अनुभव', 'negative'],
    ['hi', 'yaar mera order abhi tak nahi aaya, bahut bura hai', 'negative'],
    ['es', 'gracias por la ayuda, excelente servicio', 'positive'],
    ['fr', 'merci beaucoup, le service est génial', 'positive'],
    ['de', 'vielen Dank, super Service', 'positive'],
    ['pt', 'obrigado, o atendimento foi ótimo', 'positive'],
    ['it', 'grazie mille, servizio fantastico', 'positive'],
    ['ar', 'شكرا على المساعدة خدمة ممتازة', 'positive'],
    ['hi', 'बहुत बढ़िया सेवा, धन्यवाद', 'positive'],
  ])('%s: %s → %s', (language, text, sentiment) => {
    const r = judge(text);
    expect(r.language).toBe(language);
    expect(r.sentiment.label).toBe(sentiment);
  });

  it('answers "und" when there are no words to tell by', () => {
    expect(judge('😡😡 !!! http://a.example').language).toBe('und');
  });
});
