import { z } from 'zod';

/** PostgreSQL refuses lone UTF-16 surrogates in json and NUL in text and json alike. */
const storable = (s: string) => s.isWellFormed() && !s.includes('\u0000');

/** A string from outside that the database can store; the message says why one cannot. */
export const storableString = () => z.string().refine(storable, 'contains invalid Unicode (a lone surrogate or NUL)');

/**
 * A network payload made storable: lone surrogates become U+FFFD and NULs are dropped. Used on
 * what connectors fetch, where there is nobody to answer with a 4xx and the mention must not be lost.
 */
export function wellFormed<T>(value: T): T {
  if (typeof value === 'string') return (storable(value) ? value : value.toWellFormed().replaceAll('\u0000', '')) as T;
  if (Array.isArray(value)) return value.map(wellFormed) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), wellFormed(v)])) as T;
  }
  return value;
}
