/** The keys of a form's state whose values are text. */
type TextKeys<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F] & string;

/**
 * The props that bind an input (or select, or textarea) to one text value of a form's state: its
 * id (`<idPrefix>-<name>`, for its label's htmlFor), name, value and onChange.
 */
export function textField<F>(form: F, setForm: (update: (f: F) => F) => void, idPrefix: string) {
  return (name: TextKeys<F>) => ({
    id: `${idPrefix}-${name}`,
    name,
    value: form[name] as string,
    onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value })),
  });
}
