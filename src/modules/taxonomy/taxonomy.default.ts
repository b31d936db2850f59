/**
 * The service taxonomy. Built in: the default tree (7 top categories with sub-categories).
 * Codes are stable identifiers; a sub-category's code is `<top>.<sub>`.
 *
 * Taxonomy is configuration: a deployment replaces the tree by pointing `LINLI_TAXONOMY_FILE`
 * at a JSON file of the same shape; it is validated when the process starts and everything
 * (intake validation, the categories table, Open311 services, SLA policies) uses it. The
 * shipped classifier model only fits the built-in tree; with another tree, train a model on
 * the deployment's own labelled data (`linli classifier train`, then `import-model`).
 */
import { readFileSync } from 'node:fs';
import { BUILTIN_TAXONOMY } from './taxonomy.builtin.ts';
import type { CategoryNode } from './taxonomy.builtin.ts';

export { BUILTIN_TAXONOMY };
export type { CategoryNode };

export const URGENCIES = ['critical', 'high', 'normal', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Checks a category tree; returns the problems, each naming the offending path. */
export function validateTaxonomy(tree: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(tree) || tree.length === 0)
    return ['the taxonomy must be a non-empty array of top categories'];
  const seen = new Set<string>();
  const check = (node: unknown, path: string, parent: string | null) => {
    if (typeof node !== 'object' || node === null) {
      problems.push(`${path}: must be an object`);
      return;
    }
    const n = node as Record<string, unknown>;
    const code = n.code;
    if (typeof code !== 'string' || !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/.test(code)) {
      problems.push(
        `${path}.code: "${String(code)}" is not a code like "basic_living" or "basic_living.parking"`,
      );
    } else {
      if (seen.has(code)) problems.push(`${path}.code: "${code}" appears twice`);
      seen.add(code);
      if (parent === null && code.includes('.')) problems.push(`${path}.code: a top category has no dot`);
      if (parent !== null && !code.startsWith(`${parent}.`))
        problems.push(`${path}.code: must start with "${parent}."`);
    }
    for (const k of ['nameZh', 'nameEn'] as const) {
      if (typeof n[k] !== 'string' || (n[k] as string).trim() === '')
        problems.push(`${path}.${k}: must be a non-empty string`);
    }
    if (n.private !== undefined && typeof n.private !== 'boolean')
      problems.push(`${path}.private: must be true or false`);
    if (n.children !== undefined) {
      if (parent !== null) problems.push(`${path}.children: sub-categories have no children`);
      else if (!Array.isArray(n.children)) problems.push(`${path}.children: must be an array`);
      else
        n.children.forEach((c, i) =>
          check(c, `${path}.children[${i}]`, typeof code === 'string' ? code : ''),
        );
    }
  };
  tree.forEach((t, i) => check(t, `[${i}]`, null));
  // The emergency rules route life-threatening requests to this category: it must exist.
  if (!seen.has('safety_emergency'))
    problems.push('the taxonomy needs a top category "safety_emergency" for the emergency lane');
  return problems;
}

function configuredTaxonomy(): CategoryNode[] {
  const file = process.env.LINLI_TAXONOMY_FILE;
  if (!file) return BUILTIN_TAXONOMY;
  let tree: unknown;
  try {
    tree = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`LINLI_TAXONOMY_FILE ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = validateTaxonomy(tree);
  if (problems.length) throw new Error(`LINLI_TAXONOMY_FILE ${file}:\n  ${problems.join('\n  ')}`);
  return tree as CategoryNode[];
}

/** The deployment's taxonomy: the configured file, else the built-in tree. */
export const DEFAULT_TAXONOMY: CategoryNode[] = configuredTaxonomy();

/** True when the deployment runs the built-in tree (the shipped model fits it). */
export const IS_BUILTIN_TAXONOMY = DEFAULT_TAXONOMY === BUILTIN_TAXONOMY;

/** Every code in a tree, top categories and sub-categories alike. */
export function allCategoryCodes(tree: CategoryNode[] = DEFAULT_TAXONOMY): string[] {
  return tree.flatMap((c) => [c.code, ...(c.children ?? []).map((s) => s.code)]);
}

/** The top category of a code (`health.checkup` → `health`). */
export function topCategory(code: string): string {
  const dot = code.indexOf('.');
  return dot === -1 ? code : code.slice(0, dot);
}
