/** How sensitive attributes and their intersections are named (policy, groupings and reports use the same names). */

/** Joins the names of intersected attributes: ['sex', 'age_bin'] -> 'sex_x_age_bin'. */
export const INTERSECTION_SEPARATOR = '_x_';

export function intersectionName(attributes: readonly string[]): string {
  return attributes.join(INTERSECTION_SEPARATOR);
}

/** Default name of a sensitive attribute: the column, or `<column>_bin` when it is binned. */
export function defaultSensitiveName(column: string, binned: boolean): string {
  return binned ? `${column}_bin` : column;
}
