/** Whether the system asks for reduced motion (prefers-reduced-motion), following its changes. */
import { useEffect, useState } from 'react';

const QUERY = '(prefers-reduced-motion: reduce)';

export function useReducedMotion(): boolean {
  const [reduced, setReduced] = useState(() => window.matchMedia(QUERY).matches);
  useEffect(() => {
    const q = window.matchMedia(QUERY);
    const follow = () => setReduced(q.matches);
    q.addEventListener('change', follow);
    return () => q.removeEventListener('change', follow);
  }, []);
  return reduced;
}
