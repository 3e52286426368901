/** The part of jStat (https://github.com/jstat/jstat) carepath uses; the package ships no types. */
declare module 'jstat' {
  /** The package is UMD (module.exports is jStat, with itself as `.jStat`): Node's ESM sees only a default export. */
  const jstat: { jStat: typeof jStat };
  export default jstat;
  export const jStat: {
    studentt: {
      /** The Student t distribution's quantile: the value below which `p` of it lies, with `dof` degrees of freedom. */
      inv(p: number, dof: number): number;
    };
  };
}
