// The program administrator's record of a partner's qualification facts: competencies,
// compliance trainings, consultants and their exams, provider agreements, membership. The
// stored facts prefill the form; it is checked as typed and replaces them when saved, and the
// partner's eligibility is shown as it stands then.
import { Badge, Button, Dropdown, Input, Option, makeStyles, tokens } from "@fluentui/react-components";
import { useMemo, useState } from "react";
import {
  checkQualifications,
  type CompetencyForm,
  type ComplianceTrainingForm,
  type ConsultantForm,
  type ExamForm,
  type ProviderAgreementForm,
  type QualificationFactsForm,
} from "saps-rules/web";
import { settle, type Schemas } from "../api/client";
import { Done, PageHeading, Problem, Section } from "../components";
import { CheckedField, FormMessages, useCheckedForm, type CheckedForm } from "../forms/checked";
import { useSession } from "../session";

type Facts = Schemas["QualificationFacts"];
type Eligibility = Schemas["EligibilityAnswer"];

const useStyles = makeStyles({
  open: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalM, alignItems: "end" },
  row: {
    display: "flex",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
    alignItems: "end",
    paddingBottom: tokens.spacingVerticalM,
    marginBottom: tokens.spacingVerticalM,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  exams: { flexBasis: "100%", paddingLeft: tokens.spacingHorizontalXL },
  status: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
});

/** The stored facts as the form edits them: every value text, every list present. */
function toForm(facts: Facts): Required<QualificationFactsForm> {
  return {
    competencies: (facts.competencies ?? []).map((c) => ({ ...c })),
    complianceTraining: (facts.complianceTraining ?? []).map((t) => ({ ...t })),
    consultants: (facts.consultants ?? []).map((c) => ({
      consultantId: c.consultantId,
      name: c.name,
      exams: (c.exams ?? []).map((e) => ({
        code: e.code,
        passedOn: e.passedOn,
        validUntil: e.validUntil ?? "",
      })),
    })),
    providerAgreements: (facts.providerAgreements ?? []).map((a) => ({ ...a })),
    membershipValidUntil: facts.membershipValidUntil ?? "",
  };
}

export function Qualifications() {
  const styles = useStyles();
  const { t, api } = useSession();
  const [partnerId, setPartnerId] = useState("");
  const [opened, setOpened] = useState<string | null>(null);
  const [facts, setFacts] = useState<Required<QualificationFactsForm> | null>(null);
  const [problem, setProblem] = useState<{ failure: Schemas["Failure"]; status: number } | null>(null);
  const [eligibility, setEligibility] = useState<Eligibility | null>(null);
  const [done, setDone] = useState("");

  const loadEligibility = async (id: string) => {
    const reply = await settle(
      api.GET("/v1/partners/{partnerId}/eligibility", { params: { path: { partnerId: id } } }),
      "",
    );
    setEligibility(reply.ok ? reply.data : null);
  };
  const open = async () => {
    setDone("");
    const id = partnerId.trim();
    const reply = await settle(
      api.GET("/v1/partners/{partnerId}/qualifications", { params: { path: { partnerId: id } } }),
      t("problem.network"),
    );
    if (!reply.ok) {
      setProblem({ failure: reply.failure, status: reply.status });
      setFacts(null);
      return;
    }
    setProblem(null);
    setOpened(id);
    setFacts(toForm(reply.data));
    await loadEligibility(id);
  };

  return (
    <>
      <PageHeading title={t("qualifications.title")} />
      <Section>
        <form
          noValidate
          className={styles.open}
          onSubmit={(event) => {
            event.preventDefault();
            void open();
          }}
        >
          <Input
            aria-label={t("field.partnerId")}
            placeholder={t("field.partnerId")}
            value={partnerId}
            onChange={(_, d) => setPartnerId(d.value)}
          />
          <Button appearance="primary" type="submit">
            {t("action.openPartner")}
          </Button>
        </form>
      </Section>
      {problem && <Problem failure={problem.failure} status={problem.status} />}
      {done && <Done>{done}</Done>}
      {eligibility && <EligibilityBadges eligibility={eligibility} />}
      {facts && opened && (
        <FactsEditor
          key={opened}
          partnerId={opened}
          initial={facts}
          onSaved={() => {
            setDone(t("done.qualifications", { partner: opened }));
            void loadEligibility(opened);
          }}
        />
      )}
    </>
  );
}

function EligibilityBadges({ eligibility }: { eligibility: Eligibility }) {
  const styles = useStyles();
  const { t, programName } = useSession();
  const colour = { active: "success", inProgress: "warning", notStarted: "informative" } as const;
  return (
    <Section title={t("qualifications.eligibility", { partner: eligibility.partnerId })}>
      <div className={styles.status}>
        {eligibility.programs.map((p) => (
          <Badge key={p.programId} appearance="tint" color={colour[p.status]}>
            {programName(p.programId)}: {t(`eligibility.${p.status}`)}
          </Badge>
        ))}
      </div>
    </Section>
  );
}

function FactsEditor({
  partnerId,
  initial,
  onSaved,
}: {
  partnerId: string;
  initial: Required<QualificationFactsForm>;
  onSaved(): void;
}) {
  const styles = useStyles();
  const { t, api, programs, programName } = useSession();
  const [facts, setFacts] = useState(initial);
  const input = useMemo<QualificationFactsForm>(
    () => ({
      ...facts,
      consultants: facts.consultants?.map((c) => ({
        ...c,
        exams: c.exams?.map((e) => ({ ...e, validUntil: e.validUntil?.trim() ? e.validUntil : undefined })),
      })),
      membershipValidUntil: facts.membershipValidUntil?.trim() ? facts.membershipValidUntil : undefined,
    }),
    [facts],
  );
  const form = useCheckedForm(checkQualifications, input);
  const change = <K extends keyof QualificationFactsForm>(
    key: K,
    value: Required<QualificationFactsForm>[K],
  ) => setFacts((was) => ({ ...was, [key]: value }));

  const programChoice = (
    f: CheckedForm<unknown>,
    name: string,
    value: string | undefined,
    set: (v: string) => void,
  ) => (
    <CheckedField form={f} name={name} label={t("filter.program")} required>
      <Dropdown
        placeholder={t("field.choose")}
        value={value ? programName(value) : ""}
        selectedOptions={[value ?? ""]}
        onOptionSelect={(_, d) => set(d.optionValue ?? "")}
      >
        {programs.map((p) => (
          <Option key={p.id} value={p.id}>
            {programName(p.id)}
          </Option>
        ))}
      </Dropdown>
    </CheckedField>
  );
  const date = (
    name: string,
    label: string,
    value: string | null | undefined,
    set: (v: string) => void,
    required = true,
  ) => (
    <CheckedField form={form} name={name} label={label} required={required}>
      <Input type="date" value={value ?? ""} onChange={(_, d) => set(d.value)} />
    </CheckedField>
  );
  const text = (name: string, label: string, value: string | null | undefined, set: (v: string) => void) => (
    <CheckedField form={form} name={name} label={label} required>
      <Input value={value ?? ""} onChange={(_, d) => set(d.value)} />
    </CheckedField>
  );
  const remove = (label: string, onClick: () => void) => (
    <Button appearance="subtle" aria-label={label} onClick={onClick}>
      {t("action.remove")}
    </Button>
  );
  const edit = <T,>(list: T[], i: number, patch: Partial<T>) =>
    list.map((item, j) => (j === i ? { ...item, ...patch } : item));

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!form.submit()) return;
        void settle(
          api.PUT("/v1/partners/{partnerId}/qualifications", {
            params: { path: { partnerId } },
            body: input,
          }),
          t("problem.network"),
        ).then((reply) => {
          if (reply.ok) {
            form.reset();
            onSaved();
          } else form.refuse(reply.failure);
        });
      }}
    >
      <Section title={t("qualifications.competencies")}>
        {(facts.competencies ?? []).map((c: CompetencyForm, i) => (
          <div key={i} className={styles.row}>
            {text(`competencies[${i}].area`, t("field.area"), c.area, (v) =>
              change("competencies", edit(facts.competencies ?? [], i, { area: v })),
            )}
            {date(`competencies[${i}].validFrom`, t("field.validFrom"), c.validFrom, (v) =>
              change("competencies", edit(facts.competencies ?? [], i, { validFrom: v })),
            )}
            {date(`competencies[${i}].validUntil`, t("field.validUntil"), c.validUntil, (v) =>
              change("competencies", edit(facts.competencies ?? [], i, { validUntil: v })),
            )}
            {remove(t("qualifications.removeRow", { n: i + 1 }), () =>
              change(
                "competencies",
                (facts.competencies ?? []).filter((_, j) => j !== i),
              ),
            )}
          </div>
        ))}
        <Button onClick={() => change("competencies", [...(facts.competencies ?? []), {}])}>
          {t("qualifications.addCompetency")}
        </Button>
      </Section>
      <Section title={t("qualifications.training")}>
        {(facts.complianceTraining ?? []).map((c: ComplianceTrainingForm, i) => (
          <div key={i} className={styles.row}>
            {programChoice(form, `complianceTraining[${i}].programId`, c.programId ?? undefined, (v) =>
              change("complianceTraining", edit(facts.complianceTraining ?? [], i, { programId: v })),
            )}
            {date(`complianceTraining[${i}].completedOn`, t("field.completedOn"), c.completedOn, (v) =>
              change("complianceTraining", edit(facts.complianceTraining ?? [], i, { completedOn: v })),
            )}
            {remove(t("qualifications.removeRow", { n: i + 1 }), () =>
              change(
                "complianceTraining",
                (facts.complianceTraining ?? []).filter((_, j) => j !== i),
              ),
            )}
          </div>
        ))}
        <Button onClick={() => change("complianceTraining", [...(facts.complianceTraining ?? []), {}])}>
          {t("qualifications.addTraining")}
        </Button>
      </Section>
      <Section title={t("qualifications.consultants")}>
        {(facts.consultants ?? []).map((c: ConsultantForm, i) => {
          const setExams = (exams: ExamForm[]) =>
            change("consultants", edit(facts.consultants ?? [], i, { exams }));
          const exams = c.exams ?? [];
          return (
            <div key={i} className={styles.row}>
              {text(`consultants[${i}].consultantId`, t("field.consultantId"), c.consultantId, (v) =>
                change("consultants", edit(facts.consultants ?? [], i, { consultantId: v })),
              )}
              {text(`consultants[${i}].name`, t("field.consultantName"), c.name, (v) =>
                change("consultants", edit(facts.consultants ?? [], i, { name: v })),
              )}
              {remove(t("qualifications.removeConsultant", { n: i + 1 }), () =>
                change(
                  "consultants",
                  (facts.consultants ?? []).filter((_, j) => j !== i),
                ),
              )}
              <div className={styles.exams}>
                {exams.map((e, k) => (
                  <div key={k} className={styles.row}>
                    {text(`consultants[${i}].exams[${k}].code`, t("field.examCode"), e.code, (v) =>
                      setExams(edit(exams, k, { code: v })),
                    )}
                    {date(`consultants[${i}].exams[${k}].passedOn`, t("field.passedOn"), e.passedOn, (v) =>
                      setExams(edit(exams, k, { passedOn: v })),
                    )}
                    {date(
                      `consultants[${i}].exams[${k}].validUntil`,
                      t("field.examValidUntil"),
                      e.validUntil,
                      (v) => setExams(edit(exams, k, { validUntil: v })),
                      false,
                    )}
                    {remove(t("qualifications.removeExam", { n: k + 1 }), () =>
                      setExams(exams.filter((_, j) => j !== k)),
                    )}
                  </div>
                ))}
                <Button size="small" onClick={() => setExams([...exams, {}])}>
                  {t("qualifications.addExam")}
                </Button>
              </div>
            </div>
          );
        })}
        <Button onClick={() => change("consultants", [...(facts.consultants ?? []), { exams: [] }])}>
          {t("qualifications.addConsultant")}
        </Button>
      </Section>
      <Section title={t("qualifications.agreements")}>
        {(facts.providerAgreements ?? []).map((a: ProviderAgreementForm, i) => (
          <div key={i} className={styles.row}>
            {programChoice(form, `providerAgreements[${i}].programId`, a.programId ?? undefined, (v) =>
              change("providerAgreements", edit(facts.providerAgreements ?? [], i, { programId: v })),
            )}
            {date(`providerAgreements[${i}].signedOn`, t("field.signedOn"), a.signedOn, (v) =>
              change("providerAgreements", edit(facts.providerAgreements ?? [], i, { signedOn: v })),
            )}
            {date(`providerAgreements[${i}].validUntil`, t("field.validUntil"), a.validUntil, (v) =>
              change("providerAgreements", edit(facts.providerAgreements ?? [], i, { validUntil: v })),
            )}
            {remove(t("qualifications.removeRow", { n: i + 1 }), () =>
              change(
                "providerAgreements",
                (facts.providerAgreements ?? []).filter((_, j) => j !== i),
              ),
            )}
          </div>
        ))}
        <Button onClick={() => change("providerAgreements", [...(facts.providerAgreements ?? []), {}])}>
          {t("qualifications.addAgreement")}
        </Button>
      </Section>
      <Section title={t("qualifications.membership")}>
        {date(
          "membershipValidUntil",
          t("field.membershipValidUntil"),
          facts.membershipValidUntil,
          (v) => change("membershipValidUntil", v),
          false,
        )}
      </Section>
      <FormMessages form={form} />
      <Button appearance="primary" type="submit">
        {t("action.save")}
      </Button>
    </form>
  );
}
