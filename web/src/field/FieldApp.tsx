export default function FieldApp({ path }: { path: string }) {
  return <p>{path}</p>;
}
