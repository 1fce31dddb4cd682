// A small TypeScript consumer of saps-rules: `tsc --noEmit -p tests/node` must accept it, so the
// generated .d.ts stays usable (named input types, typed answers, the Locale union).
import init, {
  checkReservationForm,
  checkSearchForm,
  eligibility,
  run,
  useCatalog,
  voucherState,
  type Failure,
  type Locale,
  type Program,
  type ReservationForm,
  type RuleAnswer,
  type ReserveRequest,
} from "saps-rules";
import * as nodeRules from "saps-rules/node";
import * as allRules from "saps-rules/all";

function messages(answer: RuleAnswer<unknown>): string[] {
  if (answer.type === "success") return [];
  return answer.errors.flatMap((e: Failure) => e.fields.map((f) => `${f.field}: ${f.message}`));
}

export async function demo(locale: Locale): Promise<string[]> {
  await init();
  // The stored catalog, as `GET /v1/programs` answers it, becomes the rules' catalog.
  const programs: Program[] = [];
  const used: RuleAnswer<number> = useCatalog(programs);
  if (used.type === "failure") console.log(messages(used));
  const form: ReservationForm = {
    adminEmail: "it-admin@contoso.example",
    acceptTerms: true,
    engagementStart: "2026-03-10",
    engagementEnd: "2026-03-12",
    locationId: "11",
  };
  const reserved: RuleAnswer<ReserveRequest> = checkReservationForm(form, "2026-03-02", locale);
  if (reserved.type === "success") {
    const start: string = reserved.output.engagementStart;
    console.log(start);
  }
  const status = eligibility({ programId: "private-cloud", context: { facts: {} } }, "2026-03-02", locale);
  if (status.type === "success") {
    for (const program of status.output.programs) console.log(program.programId, program.status);
  }
  const search = checkSearchForm({ country: "cn", limit: 5 }, "2026-03-02", locale);
  if (search.type === "success") console.log(search.output.country, search.output.limit);
  const view = voucherState({ context: { actor: { role: "program_admin" } } }, "2026-03-02", "en");
  if (view.type === "success") console.log(view.output.allowedActions.length);
  return [...messages(reserved), ...messages(run("programs", {}, "2026-03-02", "zh-CN"))];
}

export const nodeAnswer: RuleAnswer<unknown> = nodeRules.run("programs", {}, "2026-03-02", "en");
// The module with every rule: the state changes too, with the same types.
export const reserved: RuleAnswer<ReserveRequest> = allRules.checkReservationForm(
  { acceptTerms: true }, "2026-03-02", "en");
export const allRuleNames: string[] = allRules.rules();
