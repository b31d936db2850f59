import type { Me } from '../../lib/types.ts';

export default function Stub({ me }: { me: Me }) {
  return <p>{me.name}</p>;
}
