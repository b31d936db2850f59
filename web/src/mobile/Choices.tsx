/**
 * Native radio groups for the phone apps: keyboard-focusable (Tab into the group, arrows to
 * move, Space to choose) and exposed to screen readers, where antd-mobile's Selector and Rate
 * are mouse-only (divs, tabindex -1).
 */
import { useId } from 'react';

interface Option {
  value: string;
  label: string;
}

/** One choice shown as chips, in the Selector's value shape ([] = none, i.e. "decide for me"). */
export function ChoiceChips({
  value,
  onChange,
  options,
  label,
  noneLabel,
}: {
  value?: string[];
  onChange?: (v: string[]) => void;
  options: Option[];
  label: string;
  /** The option meaning "none of these" (value []). */
  noneLabel: string;
}) {
  const name = useId();
  const current = value?.[0] ?? '';
  return (
    <div role="radiogroup" aria-label={label} className="choice-chips">
      {[{ value: '', label: noneLabel }, ...options].map((o) => (
        <label key={o.value} className={current === o.value ? 'choice-chip active' : 'choice-chip'}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={current === o.value}
            onChange={() => onChange?.(o.value ? [o.value] : [])}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </div>
  );
}

/** A 1–5 rating as radios named by their meaning ("5星 非常满意"), drawn as stars. */
export function StarRating({
  value,
  onChange,
  names,
  labelledBy,
  id,
}: {
  value: number;
  onChange: (n: number) => void;
  /** The name of each star, 1 first. */
  names: readonly string[];
  labelledBy: string;
  id?: string;
}) {
  const name = useId();
  return (
    <div role="radiogroup" aria-labelledby={labelledBy} className="star-rating" id={id}>
      <div className="stars">
        {names.map((text, i) => (
          <label key={text} className={i < value ? 'star on' : 'star'}>
            <input
              type="radio"
              name={name}
              value={i + 1}
              checked={value === i + 1}
              onChange={() => onChange(i + 1)}
            />
            <span aria-hidden="true">★</span>
            <span className="sr-only">{text}</span>
          </label>
        ))}
      </div>
      <span className="order-meta" aria-hidden="true">
        {value > 0 ? names[value - 1] : ''}
      </span>
    </div>
  );
}
