/**
 * antd-mobile's pop-ups, toasts and swipes move with JavaScript springs that CSS cannot stop:
 * they are stopped while the phone asks for reduced motion (WCAG 2.3.3), and follow the setting
 * when it changes.
 */
import { reduceMotion, restoreMotion } from 'antd-mobile';

const query = window.matchMedia('(prefers-reduced-motion: reduce)');
const follow = () => (query.matches ? reduceMotion() : restoreMotion());
follow();
query.addEventListener('change', follow);
