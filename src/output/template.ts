/** Renders a CloudFormation template as text: JSON (default) or YAML, the same bytes for the same template. */
import type { CfnTemplate } from '../core/alarm/template.js';

/** The `--format` values of `--emit cloudformation`. */
export const TEMPLATE_FORMATS = ['json', 'yaml'] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

/** The template text; `yaml` is loaded only for YAML output. */
export async function renderTemplate(template: CfnTemplate, format: TemplateFormat): Promise<string> {
  if (format === 'json') return `${JSON.stringify(template, null, 2)}\n`;
  const { stringify } = await import('yaml');
  // No line folding and no anchors/aliases: long strings (the dashboard body) stay on one line and
  // repeated values are written out, so the text diffs cleanly and reads without YAML tricks.
  return stringify(template, { lineWidth: 0, aliasDuplicateObjects: false });
}
