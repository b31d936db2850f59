/** Formatting shared by the apps: dates, durations, category names. */
import { useEffect, useState } from 'react';
import { BUILTIN_TAXONOMY } from '../../../src/modules/taxonomy/taxonomy.builtin.ts';
import { api } from './api.ts';
import type { Lang } from './i18n.ts';
import type { Category } from './types.ts';

/** A moment in local time: month, day, hour and minute, and the year when it is not this year's. */
export function formatTime(lang: Lang, iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * Where the work is: the address, or, for a point picked on a map without one, its coordinates
 * (five decimals, about a metre), so the person sent there is never shown a dash.
 */
export function formatPlace(o: {
  address: string | null;
  location: { lat: number; lng: number } | null;
}): string {
  if (o.address) return o.address;
  if (o.location) return `${o.location.lat.toFixed(5)}, ${o.location.lng.toFixed(5)}`;
  return '—';
}

/** A geo: link for a point: a phone opens it in its map app. */
export function mapLink(location: { lat: number; lng: number }): string {
  return `geo:${location.lat.toFixed(6)},${location.lng.toFixed(6)}`;
}

/** "label：" in Chinese, "label: " in English. */
export function labelled(lang: Lang, label: string): string {
  return lang === 'zh' ? `${label}：` : `${label}: `;
}

/** "3 h 20 min" / "3小时20分" from milliseconds. */
export function formatDuration(lang: Lang, ms: number): string {
  const neg = ms < 0;
  let m = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(m / 1440);
  m -= d * 1440;
  const h = Math.floor(m / 60);
  m -= h * 60;
  const parts =
    lang === 'zh'
      ? [d ? `${d}天` : '', h ? `${h}小时` : '', !d && m ? `${m}分` : '']
      : [d ? `${d} d` : '', h ? `${h} h` : '', !d && m ? `${m} min` : ''];
  const s = parts.filter(Boolean).join(lang === 'zh' ? '' : ' ') || (lang === 'zh' ? '0分' : '0 min');
  return neg ? `-${s}` : s;
}

const CATEGORIES_KEY = 'linli.categories';

/** The built-in taxonomy as the API lists it: names for codes when the list cannot be loaded. */
const BUILTIN: Category[] = BUILTIN_TAXONOMY.flatMap((top) => [
  { code: top.code, parent: null, nameZh: top.nameZh, nameEn: top.nameEn, private: top.private === true },
  ...(top.children ?? []).map((c) => ({
    code: c.code,
    parent: top.code,
    nameZh: c.nameZh,
    nameEn: c.nameEn,
    private: c.private === true,
  })),
]);

function isCategoryList(v: unknown): v is Category[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        typeof (c as Category).code === 'string' &&
        typeof (c as Category).nameZh === 'string' &&
        typeof (c as Category).nameEn === 'string',
    )
  );
}

/** The category list last loaded on this device (it is the same for everyone), else the built-in one. */
export function knownCategories(): Category[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(CATEGORIES_KEY) ?? 'null');
    if (isCategoryList(v)) return v;
  } catch {
    // Storage unavailable or damaged: the built-in names.
  }
  return BUILTIN;
}

let categories: Promise<Category[]> | null = null;

/**
 * The taxonomy from the server, kept on the device for next time; when it cannot be loaded
 * (offline, a server error), the list kept last, or the built-in one: never no names at all.
 */
export function loadCategories(): Promise<Category[]> {
  categories ??= api<Category[]>('/api/v1/categories').then(
    (list) => {
      try {
        localStorage.setItem(CATEGORIES_KEY, JSON.stringify(list));
      } catch {
        // Storage full: used for this page only.
      }
      return list;
    },
    () => {
      // Asked again next time: the server may answer then.
      categories = null;
      return knownCategories();
    },
  );
  return categories;
}

/** The taxonomy for naming categories: what the device knows at once, the server's list when it comes. */
export function useCategories(): Category[] {
  const [list, setList] = useState<Category[]>(knownCategories);
  useEffect(() => {
    let live = true;
    void loadCategories().then((c) => {
      if (live) setList(c);
    });
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/**
 * A category's name: from the list, else from the built-in taxonomy (or its top category's name),
 * else a neutral word. A raw
 * code (`basic_living.water_electric`) is never shown.
 */
export function categoryName(list: Category[], lang: Lang, code: string | null | undefined): string {
  if (!code) return '—';
  const top = code.split('.')[0];
  const named = (l: Category[]) => l.find((x) => x.code === code);
  // A sub-category nobody here knows is named by its top category.
  const c = named(list) ?? named(BUILTIN) ?? [...list, ...BUILTIN].find((x) => x.code === top);
  if (!c) return lang === 'zh' ? '其他事项' : 'Other';
  return lang === 'zh' ? c.nameZh : c.nameEn;
}

/** Reads a file as base64 (no data: prefix) for the photo routes. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const s = typeof reader.result === 'string' ? reader.result : '';
      resolve(s.slice(s.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Validation used by several forms. */
export const PHONE_RE = /^1[3-9]\d{9}$/;
