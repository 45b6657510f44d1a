import { IRI_PATTERN } from '../domain/index.js';
import { badRequest } from './xapi-error.js';

/** The xAPI versions this LRS speaks; a request's X-Experience-API-Version picks one. */
export type XapiVersion = '1.0.3' | '2.0.0';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The pattern chapters' activityIds are held to, too (domain/chapter.ts).
const IRI = new RegExp(IRI_PATTERN, 'u');
const LANGUAGE_TAG = /^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z\d]{2,8})+)*(?:-[Xx](?:-[A-Za-z\d]{1,8})+)?$|^[Xx](?:-[A-Za-z\d]{1,8})+$|^i-[a-z]+$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;
const DURATION = /^P(?:(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?|\d+(?:\.\d+)?W)$/;

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
export const isIri = (value: unknown): value is string => typeof value === 'string' && IRI.test(value);
export const isLanguageTag = (value: unknown): value is string => typeof value === 'string' && LANGUAGE_TAG.test(value);
export const isDuration = (value: unknown): value is string =>
  typeof value === 'string' && DURATION.test(value) && value !== 'P' && !value.endsWith('T');

/** Epoch ms of an ISO 8601 timestamp with a time zone, or null when it is not one. */
export function timestampMs(value: unknown, version: XapiVersion): number | null {
  if (typeof value !== 'string') return null;
  const match = TIMESTAMP.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, , zone] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return null;
  if (zone === undefined && version === '2.0.0') return null;
  if (zone !== undefined && /^-00:?00$/.test(zone)) return null;
  const ms = Date.parse(zone === undefined ? `${value}Z` : value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms) || Number(year) < 1) return null;
  return ms;
}

/** A UUID in the lower-case form statements are stored and compared in. */
export function normalizeUuid(id: string): string {
  return id.toLowerCase();
}

/** Parses a JSON request parameter (agent=...), or throws 400. */
export function parseJsonParameter(name: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw badRequest(`The ${name} parameter is not valid JSON.`);
  }
}
