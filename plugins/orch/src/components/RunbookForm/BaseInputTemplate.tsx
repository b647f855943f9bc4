import { Templates } from '@rjsf/mui';
import {
  ariaDescribedByIds,
  examplesId,
  getInputProps,
  type BaseInputTemplateProps,
} from '@rjsf/utils';

const MuiBaseInputTemplate = Templates.BaseInputTemplate!;

/**
 * rjsf's MUI input, with `aria-describedby` on the `<input>` itself (the
 * theme puts it on the wrapper) so screen readers read a field's
 * description and errors with it.
 */
export function BaseInputTemplate(props: BaseInputTemplateProps) {
  const { id, schema, type, options } = props;
  const { step, min, max, accept } = getInputProps(schema, type, options);
  return (
    <MuiBaseInputTemplate
      {...props}
      inputProps={{
        step,
        min,
        max,
        accept,
        ...(schema.examples ? { list: examplesId(id) } : {}),
        'aria-describedby': ariaDescribedByIds(id, !!schema.examples),
      }}
    />
  );
}
