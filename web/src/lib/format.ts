/** Formatting shared by the apps: dates, durations, category names. */
import { useEffect, useState } from 'react';
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

let categories: Promise<Category[]> | null = null;

export function loadCategories(): Promise<Category[]> {
  categories ??= api<Category[]>('/api/v1/categories').catch((err: unknown) => {
    categories = null;
    throw err;
  });
  return categories;
}

/** The taxonomy (loaded once) for naming categories. */
export function useCategories(): Category[] {
  const [list, setList] = useState<Category[]>([]);
  useEffect(() => {
    let live = true;
    loadCategories()
      .then((c) => {
        if (live) setList(c);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return list;
}

export function categoryName(list: Category[], lang: Lang, code: string | null | undefined): string {
  if (!code) return '—';
  const c = list.find((x) => x.code === code);
  if (!c) return code;
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
