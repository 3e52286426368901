/** The part of jStat (https://github.com/jstat/jstat) carepath uses; the package ships no types. */
declare module 'jstat' {
  export const jStat: {
    studentt: {
      /** The Student t distribution's quantile: the value below which `p` of it lies, with `dof` degrees of freedom. */
      inv(p: number, dof: number): number;
    };
  };
}
