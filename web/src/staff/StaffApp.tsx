export default function StaffApp({ path }: { path: string }) {
  return <p>{path}</p>;
}
