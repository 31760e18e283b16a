import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../../core/nlp/language.ts';
import { normaliseTweetText } from '../../../core/nlp/normalise.ts';

const en = new Set(['en']);
const lang = (text: string) => detectLanguage(normaliseTweetText(text).words, en);

describe('detectLanguage', () => {
  it('recognises English and tags it as a target language', () => {
    const tag = lang('My order arrived two days late and the box was damaged @acme https://t.co/x');
    expect(tag).toEqual({ lang: 'en', reliable: true, target: true });
  });

  it('tags other languages without dropping them', () => {
    expect(lang('El envío llegó tarde y la caja estaba rota, muy decepcionado')).toMatchObject({
      lang: 'es',
      target: false,
    });
    expect(lang('Der Kundenservice war heute wirklich sehr freundlich und hilfsbereit').lang).toBe('de');
    expect(lang('Je suis très content de ce produit, livraison rapide').lang).toBe('fr');
  });

  it('is not fooled by emoji, whose meanings are English words', () => {
    expect(lang('Me encanta este teléfono nuevo 😍😍🔥👍').lang).toBe('es');
  });

  it('says "und" for text too short to tell', () => {
    expect(lang('lol 😂 @bob')).toEqual({ lang: 'und', reliable: false, target: false });
  });
});
