import { normalizeWithReason, buildMetaRow } from '../core/identifiers';
const vals: unknown[] = ['', '   ', '\t\n', 'null', 'x'.repeat(10000), 'a\u0000b@x.com', '😀@x.com', 'Жанна', 42, 3.5, {a:1}, [1,2], true, false, null, undefined, NaN, 'undefined', '+32 470 12 34 56', '\u202Eabc'];
for (const key of ['EMAIL','PHONE','FN','LN','CT','ZIP','COUNTRY','GEN','DOBY','EXTERN_ID'] as const) {
  for (const v of vals) {
    const r = normalizeWithReason(key as any, v, { defaultCountry: 'BE' });
    console.log(key, JSON.stringify(v)?.slice(0,30), '→', JSON.stringify(r.value).slice(0,40), r.reason);
  }
}
