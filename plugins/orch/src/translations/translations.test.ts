import { orchTranslationRef } from './ref';
import ptBR from './pt-BR';
import { jobsMessages } from './jobsMessages';
import { jobsMessagesPtBR } from './jobsMessages.pt-BR';

/** `{ a: { b: 'x' } }` → `{ 'a.b': 'x' }`, as the translation API keys them. */
function flatten(
  messages: object,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [key, value] of Object.entries(messages)) {
    if (typeof value === 'string') out[`${prefix}${key}`] = value;
    else flatten(value, `${prefix}${key}.`, out);
  }
  return out;
}

/** The English messages of the ref, flat (its internal side has them). */
const english: Record<string, string> = (
  orchTranslationRef as unknown as {
    getDefaultMessages(): Record<string, string>;
  }
).getDefaultMessages();
const portuguese = ptBR.messages as Record<string, string | null | undefined>;

const placeholders = (text: string) =>
  [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(m => m[1]).sort();

describe('orch translations', () => {
  it('reads the English messages flat, the way pt-BR keys them', () => {
    expect(english['jobPage.actions.cancelTitle']).toBe('Cancel this job?');
    expect(english['logViewer.events_other']).toBe('{{formatted}} events');
  });

  it('has every English key in Brazilian Portuguese, and no other', () => {
    const missing = Object.keys(english).filter(key => !portuguese[key]);
    const unknown = Object.keys(portuguese).filter(key => !(key in english));
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
  });

  it('keeps the same {{placeholders}} in both languages', () => {
    const differ = Object.keys(english).filter(
      key =>
        portuguese[key] &&
        placeholders(english[key]).join() !==
          placeholders(portuguese[key]!).join(),
    );
    expect(differ).toEqual([]);
  });

  it('spreads the job page and log viewer texts whole into both', () => {
    const jobs = flatten(jobsMessages);
    expect(Object.keys(jobsMessagesPtBR).sort()).toEqual(
      Object.keys(jobs).sort(),
    );
    for (const [key, text] of Object.entries(jobs)) {
      expect(english[key]).toBe(text);
    }
  });
});
