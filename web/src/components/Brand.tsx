import logo from '../logo.svg';

/** The Atrium logo and name. */
export function Brand({ large = false }: { large?: boolean }) {
  const size = large ? 34 : 26;
  return (
    <div className={large ? 'brand brand-large' : 'brand'}>
      <img src={logo} alt="" width={size} height={size} />
      <span>Atrium</span>
    </div>
  );
}
