#!/usr/bin/env python3
"""Writes the shared test vectors (SPEC §14) into tests/vectors/*.json.

Each case states its expectation by hand; this script only spares the repetition of building
vouchers, enrollments and facts. `--check` fails when the committed JSON differs from what this
script writes, so the two cannot drift.

Dates used throughout (sample catalog, SPEC §2):
  voucher created 2026-01-01 -> expires 2026-06-30 (180 days)
  enrollment 2026-01-15 -> 2027-01-15; renewal window [2026-11-16, 2027-02-14)
  redeemed 2026-04-01 -> claim window closes 2026-06-30 (90 days)
"""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
FILES = {}
TODAY = "2026-03-02"
P1, P2 = "1001", "2002"
PA = {"role": "partner_admin", "partnerId": P1}
PA2 = {"role": "partner_admin", "partnerId": P2}
PU = {"role": "partner_user", "partnerId": P1}
ADMIN = {"role": "program_admin"}
SHA_A = "a" * 64
SHA_B = "b" * 64
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def case(file, name, rule, today, inp, output=None, error=None, locale=None):
    c = {"name": name, "rule": rule, "today": today}
    if locale:
        c["locale"] = locale
    c["input"] = inp
    c["expect"] = {"output": output} if error is None else {"error": error}
    FILES.setdefault(file, []).append(c)


def err(code, *fields):
    """An expected error; fields are (path, code) pairs."""
    return {"code": code, "fields": [{"field": f, "code": c} for f, c in fields]}


def one(field, code):
    return err(code, (field, code))


def facts(program="microsoft-365", area="Modern Work", exams=("MS-102",), **over):
    f = {
        "competencies": [{"area": area, "validFrom": "2025-06-01", "validUntil": "2026-06-01"}],
        "complianceTraining": [{"programId": program, "completedOn": "2025-09-01"}],
        "consultants": [{
            "consultantId": "c-1", "name": "Li Wei",
            "exams": [{"code": e, "passedOn": "2024-05-01", "validUntil": "2027-05-01"} for e in exams],
        }],
        "providerAgreements": [{"programId": program, "signedOn": "2025-06-01", "validUntil": "2027-06-01"}],
    }
    f.update(over)
    return f


def lasting_facts():
    """Facts for microsoft-365 that hold from 2024 to 2030."""
    return facts(competencies=[{"area": "Modern Work", "validFrom": "2024-01-01", "validUntil": "2030-01-01"}],
                 complianceTraining=[{"programId": "microsoft-365", "completedOn": "2026-11-01"},
                                     {"programId": "microsoft-365", "completedOn": "2027-06-01"}],
                 providerAgreements=[{"programId": "microsoft-365", "signedOn": "2024-01-01", "validUntil": "2030-01-01"}],
                 consultants=[{"consultantId": "c-1", "name": "Li Wei", "exams": [{"code": "MS-102", "passedOn": "2024-05-01"}]}])


def enrollment(program="microsoft-365", enrolled="2026-01-15", expires="2027-01-15", **over):
    e = {"programId": program, "locationIds": ["11"], "enrolledOn": enrolled, "expiresOn": expires}
    e.update(over)
    return e


def voucher(state="assigned", **over):
    v = {
        "voucherNumber": "SAPS0001M365", "programId": "microsoft-365", "days": 5,
        "customerName": "Contoso Ltd", "adminEmail": "it-admin@contoso.example",
        "partnerId": P1, "createdOn": "2026-01-01", "expiresOn": "2026-06-30",
        "state": state, "version": 3,
    }
    if state in ("reserved", "completed", "redeemed", "claimed", "paid"):
        v["reservation"] = {"reservedOn": "2026-02-01", "engagementStart": "2026-02-10", "engagementEnd": "2026-02-12"}
    if state in ("completed", "redeemed", "claimed", "paid"):
        v["completionReport"] = report_out()
    if state in ("redeemed", "claimed", "paid"):
        v["redeemedOn"] = "2026-04-01"
    if state in ("claimed", "paid"):
        v["claimId"] = "CLM-1"
    v.update(over)
    return v


def numbered(n, state="completed", **over):
    return voucher(state, voucherNumber=f"SAPS{n:04d}BATCH", **over)


def report_out(days=4):
    return {
        "deliveredStart": "2026-02-10", "deliveredEnd": "2026-02-12", "daysDelivered": days,
        "leadConsultantId": "c-1", "summary": "Planned the tenant migration and security baseline.",
        "deliverables": [{"fileName": "plan.pdf", "mediaType": PDF, "size": 1024, "sha256": SHA_A}],
    }


def report_form(**over):
    r = report_out()
    r.update(over)
    return r


UPLOADED = [{"fileName": "plan.pdf", "mediaType": PDF, "size": 1024, "sha256": SHA_A}]


def profile(**over):
    p = {
        "companyName": "Fabrikam Consulting", "description": "Deployment planning for Microsoft 365.",
        "website": "https://fabrikam.example", "contactEmail": "hello@fabrikam.example",
        "phone": "+14255550100", "countries": ["US", "CN"], "languages": ["en", "zh"],
    }
    p.update(over)
    return p


def claim(state="submitted", **over):
    c = {
        "claimId": "CLM-1", "partnerId": P1, "programId": "microsoft-365", "invoiceNumber": "INV-2026/001",
        "voucherNumbers": ["SAPS0001M365"], "amount": {"minorUnits": 480000, "currency": "USD"},
        "state": state, "submittedOn": "2026-04-05", "version": 1,
    }
    c.update(over)
    return c


# ---------------------------------------------------------------- values and errors (§2, §11)
def values():
    f = "values.json"
    for raw, norm in [("SAPS-0001-M365", "SAPS0001M365"), (" saps 0001 m365 ", "SAPS0001M365"),
                      ("ABCDEFGH", "ABCDEFGH"), ("ABCDEFGH12345678", "ABCDEFGH12345678"),
                      ("abcd-efgh-1234-5678", "ABCDEFGH12345678")]:
        case(f, f"voucher number `{raw}` normalises to {norm}", "validationForm", TODAY,
             {"voucherNumber": raw, "adminEmail": "a@contoso.example"}, {"voucherNumber": norm})
    for raw, why in [("ABCDEFG", "7 characters"), ("ABCDEFGH123456789", "17 characters"),
                     ("ABCD_EFGH", "an underscore"), ("ABCDÉFGH", "a non-ASCII letter"), ("--------", "only hyphens")]:
        case(f, f"voucher number with {why} is refused", "validationForm", TODAY,
             {"voucherNumber": raw, "adminEmail": "a@contoso.example"},
             error=one("voucherNumber", "field.invalidVoucherNumber"))
    good = [" Admin@Contoso.example ", "a@b.co", "x" * 64 + "@contoso.example", "a@" + "b" * 240 + ".example"]
    for raw in good:
        case(f, f"email accepted ({len(raw)} characters)", "validationForm", TODAY,
             {"voucherNumber": "ABCDEFGH", "adminEmail": raw}, {"adminEmail": raw.strip()})
    bad = {"no dot in domain": "a@contoso", "two @": "a@b@contoso.example", "empty local part": "@contoso.example",
           "65-character local part": "x" * 65 + "@contoso.example", "255 characters": "a@" + "b" * 245 + ".example",
           "a space inside": "a b@contoso.example", "an empty domain label": "a@contoso..example"}
    for why, raw in bad.items():
        case(f, f"email with {why} is refused", "validationForm", TODAY,
             {"voucherNumber": "ABCDEFGH", "adminEmail": raw}, error=one("adminEmail", "field.invalidEmail"))
    case(f, "every missing field is reported at once", "validationForm", TODAY, {},
         error=err("field.required", ("voucherNumber", "field.required"), ("adminEmail", "field.required")))
    case(f, "mixed problems give validation.failed", "validationForm", TODAY,
         {"voucherNumber": "X", "adminEmail": ""},
         error=err("validation.failed", ("voucherNumber", "field.invalidVoucherNumber"), ("adminEmail", "field.required")))
    case(f, "an unknown field is malformed input, reported at itself", "validationForm", TODAY,
         {"voucherNumber": "ABCDEFGH", "adminEmail": "a@b.co", "extra": 1}, error=one("extra", "request.malformed"))
    case(f, "a wrong type is malformed input, reported at its field", "validationForm", TODAY,
         {"voucherNumber": 12345678, "adminEmail": "a@b.co"}, error=one("voucherNumber", "request.malformed"))
    case(f, "an input that is not an object is malformed", "validationForm", TODAY, [1, 2],
         error=one("", "request.malformed"))
    case(f, "an unknown rule is refused", "noSuchRule", TODAY, {}, error=one("", "request.unknownRule"))
    case(f, "messages can be asked in Chinese", "validationForm", TODAY, {"voucherNumber": "ABCDEFGH"},
         error=one("adminEmail", "field.required"), locale="zh-CN")
    case(f, "a malformed context is reported at its field", "voucherState", TODAY,
         {"context": {"actor": PA, "voucher": {"voucherNumber": "bad"}}},
         error=one("context.voucher.voucherNumber", "request.malformed"))
    case(f, "a missing field of the context is reported at the object that lacks it", "voucherState", TODAY,
         {"context": {"actor": {"role": "partner_admin"}}}, error=one("context.actor", "request.malformed"))
    case(f, "a struct given as an array is malformed", "validationForm", TODAY,
         {"context": ["ABCDEFGH", "a@b.co"]}, error=one("context", "request.malformed"))
    case(f, "the catalog lists five sample programs", "programs", TODAY, {},
         [{"id": p} for p in ["microsoft-365", "azure", "security", "data-ai", "business-applications"]])
    case(f, "programs carry their parameters with defaults", "programs", TODAY, {},
         [{"voucherValidityDays": 180, "renewalWindowDays": 60, "renewalGraceDays": 30,
           "complianceTrainingValidityDays": 365, "claimWindowDays": 90}, {}, {}, {},
          {"voucherDays": {"min": 2, "max": 10}, "claimWindowDays": 60}])


# ---------------------------------------------------------------- eligibility (§4)
def eligibility():
    f = "eligibility.json"
    m365 = {"programId": "microsoft-365"}
    case(f, "all four requirements met: active, with the facts and lapse dates", "eligibility", TODAY,
         {**m365, "context": {"facts": facts()}},
         {"programs": [{"programId": "microsoft-365", "status": "active", "requirements": [
             {"met": True, "metBy": {"kind": "competency", "area": "Modern Work"}, "lapsesOn": "2026-06-01"},
             {"met": True, "metBy": {"kind": "complianceTraining", "completedOn": "2025-09-01"}, "lapsesOn": "2026-09-01"},
             {"met": True, "metBy": {"kind": "consultant", "consultantId": "c-1", "name": "Li Wei"}, "lapsesOn": "2027-05-01"},
             {"met": True, "metBy": {"kind": "providerAgreement", "signedOn": "2025-06-01"}, "lapsesOn": "2027-06-01"}]}]})
    case(f, "no facts: notStarted with every action listed", "eligibility", TODAY, {**m365, "context": {"facts": {}}},
         {"programs": [{"status": "notStarted", "requirements": [
             {"met": False, "action": "obtainCompetency"}, {"met": False, "action": "completeComplianceTraining"},
             {"met": False, "action": "passConsultantExams"}, {"met": False, "action": "signProviderAgreement"}]}]})
    case(f, "some requirements met: inProgress", "eligibility", TODAY,
         {**m365, "context": {"facts": facts(providerAgreements=[], consultants=[])}},
         {"programs": [{"status": "inProgress", "requirements": [
             {"met": True}, {"met": True}, {"met": False, "action": "passConsultantExams"},
             {"met": False, "action": "signProviderAgreement"}]}]})
    case(f, "without a program filter every program is evaluated", "eligibility", TODAY, {"context": {"facts": facts()}},
         {"programs": [{"programId": "microsoft-365", "status": "active"}, {"programId": "azure", "status": "notStarted"},
                       {"programId": "security", "status": "notStarted"}, {"programId": "data-ai", "status": "notStarted"},
                       {"programId": "business-applications", "status": "notStarted"}]})
    case(f, "unknown program", "eligibility", TODAY, {"programId": "nope", "context": {"facts": {}}},
         error=one("programId", "program.unknown"))
    # competency window [validFrom, validUntil)
    for day, met in [("2025-05-31", False), ("2025-06-01", True), ("2026-05-31", True), ("2026-06-01", False)]:
        case(f, f"competency valid 2025-06-01..2026-06-01 is {'met' if met else 'unmet'} on {day}", "eligibility", day,
             {**m365, "context": {"facts": facts()}}, {"programs": [{"requirements": [{"met": met}, {}, {}, {}]}]})
    # compliance training validity 365 days
    for day, met in [("2025-09-01", True), ("2026-08-31", True), ("2026-09-01", False)]:
        case(f, f"compliance training of 2025-09-01 is {'met' if met else 'unmet'} on {day}", "eligibility", day,
             {**m365, "context": {"facts": facts()}}, {"programs": [{"requirements": [{}, {"met": met}, {}, {}]}]})
    case(f, "compliance training for another program does not count", "eligibility", TODAY,
         {**m365, "context": {"facts": facts(complianceTraining=[{"programId": "azure", "completedOn": "2025-09-01"}])}},
         {"programs": [{"status": "inProgress", "requirements": [{}, {"met": False, "action": "completeComplianceTraining"}, {}, {}]}]})
    # consultant exams
    case(f, "azure needs one consultant with both exams", "eligibility", TODAY,
         {"programId": "azure", "context": {"facts": facts("azure", "Infrastructure (Azure)", ("AZ-104", "AZ-305"))}},
         {"programs": [{"status": "active"}]})
    split = facts("azure", "Infrastructure (Azure)", ("AZ-104",))
    split["consultants"].append({"consultantId": "c-2", "name": "Ana", "exams": [{"code": "AZ-305", "passedOn": "2024-01-01"}]})
    case(f, "two consultants holding one exam each do not meet azure's exams", "eligibility", TODAY,
         {"programId": "azure", "context": {"facts": split}},
         {"programs": [{"status": "inProgress", "requirements": [{}, {}, {"met": False, "action": "passConsultantExams"}, {}]}]})
    no_lapse = facts(consultants=[{"consultantId": "c-9", "name": "Kai", "exams": [{"code": "MS-102", "passedOn": "2020-01-01"}]}])
    case(f, "an exam without validUntil never lapses", "eligibility", TODAY, {**m365, "context": {"facts": no_lapse}},
         {"programs": [{"requirements": [{}, {}, {"met": True, "lapsesOn": None}, {}]}]})
    for day, met in [("2027-04-30", True), ("2027-05-01", False)]:
        case(f, f"exam valid until 2027-05-01 is {'held' if met else 'lapsed'} on {day}", "eligibility", day,
             {**m365, "context": {"facts": facts()}}, {"programs": [{"requirements": [{}, {}, {"met": met}, {}]}]})
    case(f, "an exam passed in the future does not count yet", "eligibility", "2024-04-30",
         {**m365, "context": {"facts": facts()}}, {"programs": [{"requirements": [{}, {}, {"met": False}, {}]}]})
    # provider agreement
    for day, met in [("2025-05-31", False), ("2025-06-01", True), ("2027-05-31", True), ("2027-06-01", False)]:
        case(f, f"provider agreement 2025-06-01..2027-06-01 is {'met' if met else 'unmet'} on {day}", "eligibility", day,
             {**m365, "context": {"facts": facts()}}, {"programs": [{"requirements": [{}, {}, {}, {"met": met}]}]})
    case(f, "of two agreements the longer-lasting is shown", "eligibility", TODAY,
         {**m365, "context": {"facts": facts(providerAgreements=[
             {"programId": "microsoft-365", "signedOn": "2025-01-01", "validUntil": "2026-12-01"},
             {"programId": "microsoft-365", "signedOn": "2025-06-01", "validUntil": "2027-06-01"}])}},
         {"programs": [{"requirements": [{}, {}, {}, {"met": True, "metBy": {"signedOn": "2025-06-01"}, "lapsesOn": "2027-06-01"}]}]})
    # qualifications form
    case(f, "qualification facts are accepted as sent", "qualifications", TODAY, facts(), {"consultants": [{"consultantId": "c-1"}]})
    case(f, "qualification intervals must end after they start and ids be unique", "qualifications", TODAY,
         facts(competencies=[{"area": "Security", "validFrom": "2026-01-01", "validUntil": "2026-01-01"}],
               consultants=[{"consultantId": "c-1", "name": "A", "exams": []}, {"consultantId": "c-1", "name": "", "exams": []}]),
         error=err("validation.failed", ("competencies[0].validUntil", "field.endBeforeStart"),
                   ("consultants[1].consultantId", "field.duplicate"), ("consultants[1].name", "field.length")))
    case(f, "a date that is not YYYY-MM-DD in the facts is malformed", "qualifications", TODAY,
         {"competencies": [{"area": "Security", "validFrom": "2026-1-1", "validUntil": "2027-01-01"}]},
         error=one("competencies[0].validFrom", "request.malformed"))


# ---------------------------------------------------------------- enrollment (§5)
def enrollment_rules():
    f = "enrollment.json"
    ctx = {"partnerLocations": ["11", "12", "13"], "facts": facts()}
    case(f, "enroll when eligible: one year from today", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": ["11", "12"], "context": ctx},
         {"programId": "microsoft-365", "locationIds": ["11", "12"], "enrolledOn": TODAY, "expiresOn": "2027-03-02",
          "status": "active", "renewalWindow": {"start": "2027-01-01", "end": "2027-04-01"}})
    ctx_leap = {"partnerLocations": ["11"], "facts": facts(competencies=[{"area": "Modern Work", "validFrom": "2028-01-01", "validUntil": "2029-01-01"}],
                                                           complianceTraining=[{"programId": "microsoft-365", "completedOn": "2028-01-01"}],
                                                           providerAgreements=[{"programId": "microsoft-365", "signedOn": "2028-01-01", "validUntil": "2030-01-01"}],
                                                           consultants=[{"consultantId": "c-1", "name": "Li", "exams": [{"code": "MS-102", "passedOn": "2027-01-01"}]}])}
    case(f, "enrolling on 29 February expires on 28 February", "enroll", "2028-02-29",
         {"programId": "microsoft-365", "locationIds": ["11"], "context": ctx_leap},
         {"enrolledOn": "2028-02-29", "expiresOn": "2029-02-28"})
    case(f, "enrolling on 31 March expires on 31 March", "enroll", "2027-03-31",
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "facts": facts(competencies=[
             {"area": "Modern Work", "validFrom": "2027-01-01", "validUntil": "2028-01-01"}], complianceTraining=[
             {"programId": "microsoft-365", "completedOn": "2027-01-01"}])}},
         {"expiresOn": "2028-03-31"})
    case(f, "enroll needs active eligibility", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "facts": facts(providerAgreements=[])}},
         error=one("programId", "eligibility.notActive"))
    case(f, "every location problem is reported", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": ["11", "11", "99", "x"], "context": ctx},
         error=err("validation.failed", ("locationIds[1]", "field.duplicate"), ("locationIds[2]", "enrollment.unknownLocation"),
                   ("locationIds[3]", "field.invalidId")))
    case(f, "no location is refused", "enroll", TODAY, {"programId": "microsoft-365", "locationIds": [], "context": ctx},
         error=one("locationIds", "field.count"))
    many = [str(100 + i) for i in range(51)]
    case(f, "51 locations are refused", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": many, "context": {**ctx, "partnerLocations": many}},
         error=one("locationIds", "field.count"))
    fifty = many[:50]
    case(f, "50 locations are accepted", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": fifty, "context": {**ctx, "partnerLocations": fifty}},
         {"locationIds": fifty})
    case(f, "missing program and locations", "enroll", TODAY, {"context": ctx},
         error=err("validation.failed", ("programId", "field.required"), ("locationIds", "field.count")))
    case(f, "unknown program", "enrollmentForm", TODAY, {"programId": "nope", "locationIds": ["11"], "context": ctx},
         error=one("programId", "program.unknown"))
    case(f, "enrollment form checks locations against the partner's", "enrollmentForm", TODAY,
         {"programId": "azure", "locationIds": ["13"], "context": {"partnerLocations": ["11", "13"]}},
         {"programId": "azure", "locationIds": ["13"]})
    case(f, "a current enrollment blocks a new one", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "existing": enrollment()}},
         error=one("programId", "enrollment.alreadyEnrolled"))
    case(f, "an expired enrollment still in grace must be renewed instead", "enroll", "2027-02-13",
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "facts": lasting_facts(), "existing": enrollment()}},
         error=one("programId", "enrollment.inRenewalGrace"))
    case(f, "after the grace period the partner enrolls anew", "enroll", "2027-02-14",
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "facts": lasting_facts(), "existing": enrollment()}},
         {"enrolledOn": "2027-02-14", "expiresOn": "2028-02-14", "status": "active"})
    case(f, "a withdrawn enrollment allows a new one", "enroll", TODAY,
         {"programId": "microsoft-365", "locationIds": ["11"], "context": {**ctx, "existing": enrollment(withdrawnOn="2026-02-01")}},
         {"enrolledOn": TODAY})
    # status boundaries
    for day, status in [("2026-01-14", "pending"), ("2026-01-15", "active"), ("2026-11-15", "active"), ("2026-11-16", "renewalDue"),
                        ("2027-01-14", "renewalDue"), ("2027-01-15", "expired"), ("2027-03-01", "expired")]:
        case(f, f"enrollment 2026-01-15..2027-01-15 is {status} on {day}", "enrollmentStatus", day,
             {"context": {"enrollment": enrollment()}},
             {"status": status, "renewalWindow": {"start": "2026-11-16", "end": "2027-02-14"}})
    case(f, "withdrawn is withdrawn from the day of withdrawal", "enrollmentStatus", "2026-05-01",
         {"context": {"enrollment": enrollment(withdrawnOn="2026-05-01")}}, {"status": "withdrawn"})
    case(f, "withdrawal dated later does not show yet", "enrollmentStatus", "2026-04-30",
         {"context": {"enrollment": enrollment(withdrawnOn="2026-05-01")}}, {"status": "active"})
    # renewal window
    rctx = {"enrollment": enrollment(), "facts": facts(competencies=[{"area": "Modern Work", "validFrom": "2025-01-01", "validUntil": "2028-01-01"}],
                                                       complianceTraining=[{"programId": "microsoft-365", "completedOn": "2026-11-01"}])}
    case(f, "renewal the day before the window opens is refused with the opening date", "renew", "2026-11-15",
         {"context": rctx}, error=one("programId", "enrollment.renewalNotOpen"))
    case(f, "renewal on the day the window opens keeps every day", "renew", "2026-11-16",
         {"context": rctx}, {"enrolledOn": "2026-01-15", "expiresOn": "2028-01-15", "renewedOn": "2026-11-16", "status": "active"})
    case(f, "renewal on the expiry day", "renew", "2027-01-15", {"context": rctx}, {"expiresOn": "2028-01-15", "status": "active"})
    case(f, "renewal on the last day of grace keeps the anniversary", "renew", "2027-02-13",
         {"context": rctx}, {"expiresOn": "2028-01-15", "status": "active"})
    case(f, "renewal the day grace ends is refused", "renew", "2027-02-14", {"context": rctx},
         error=one("programId", "enrollment.renewalClosed"))
    case(f, "renewal needs active eligibility on the renewal date", "renew", "2026-12-01",
         {"context": {**rctx, "facts": facts()}}, error=one("programId", "eligibility.notActive"))
    case(f, "renewal outside the window and not eligible reports both", "renew", "2026-06-02",
         {"context": {**rctx, "facts": {}}},
         error=err("validation.failed", ("programId", "enrollment.renewalNotOpen"), ("programId", "eligibility.notActive")))
    case(f, "a withdrawn enrollment cannot be renewed", "renew", "2026-12-01",
         {"context": {**rctx, "enrollment": enrollment(withdrawnOn="2026-06-01")}}, error=one("programId", "enrollment.withdrawn"))
    leap = {"enrollment": enrollment(enrolled="2027-02-28", expires="2028-02-29"), "facts": lasting_facts()}
    case(f, "renewing an enrollment expiring on 29 February clamps to 28 February", "renew", "2028-01-15",
         {"context": leap}, {"expiresOn": "2029-02-28"})
    # withdrawal
    case(f, "withdrawal ends the enrollment today", "withdraw", "2026-05-01", {"context": {"enrollment": enrollment()}},
         {"withdrawnOn": "2026-05-01", "status": "withdrawn"})
    case(f, "an expired enrollment cannot be withdrawn", "withdraw", "2027-01-15", {"context": {"enrollment": enrollment()}},
         error=one("programId", "enrollment.notActive"))
    case(f, "withdrawing twice is refused", "withdraw", "2026-06-01",
         {"context": {"enrollment": enrollment(withdrawnOn="2026-05-01")}}, error=one("programId", "enrollment.withdrawn"))


# ---------------------------------------------------------------- directory (§6)
def directory():
    f = "directory.json"
    case(f, "a valid profile is normalised", "profile", TODAY,
         profile(companyName="  Fabrikam Consulting ", countries=["us", "CN"], languages=["EN", "zh"], phone="+1 425-555-0100"),
         {"companyName": "Fabrikam Consulting", "countries": ["US", "CN"], "languages": ["en", "zh"], "phone": "+14255550100"})
    case(f, "every profile field wrong at once", "profile", TODAY,
         {"companyName": "F", "description": "x" * 2001, "website": "http://fabrikam.example", "contactEmail": "nope",
          "phone": "0123", "countries": ["XX", "US", "us"], "languages": ["xx"]},
         error=err("validation.failed", ("companyName", "field.length"), ("description", "field.length"),
                   ("website", "field.invalidUrl"), ("contactEmail", "field.invalidEmail"), ("phone", "field.invalidPhone"),
                   ("countries[0]", "field.unknownCountry"), ("countries[2]", "field.duplicate"),
                   ("languages[0]", "field.unknownLanguage")))
    case(f, "an empty profile reports every required field", "profile", TODAY, {},
         error=err("field.required", ("companyName", "field.required"), ("website", "field.required"),
                   ("contactEmail", "field.required"), ("countries", "field.required"), ("languages", "field.required")))
    for name, ok in [("AB", True), ("A" * 120, True), ("A" * 121, False), ("企业", True), ("😀😀", True)]:
        case(f, f"company name {name[:6]!r} of {len(name)} characters is {'accepted' if ok else 'refused'}", "profile", TODAY,
             profile(companyName=name), {"companyName": name} if ok else None,
             None if ok else one("companyName", "field.length"))
    case(f, "company name with a control character is refused", "profile", TODAY, profile(companyName="Fab\u0000rikam"),
         error=one("companyName", "field.controlCharacters"))
    case(f, "description of 2000 characters is accepted", "profile", TODAY, profile(description="d" * 2000), {"companyName": "Fabrikam Consulting"})
    for url, ok in [("https://fabrikam.example/planning?x=1", True), ("HTTPS://Fabrikam.example", True),
                    ("https://fabrikam.example:8443/a", True), ("https://localhost", False), ("https://user@fabrikam.example", False),
                    ("https://fab rikam.example", False), ("ftp://fabrikam.example", False),
                    ("https://" + "a" * 184 + ".example", True), ("https://" + "a" * 185 + ".example", False)]:
        case(f, f"website {url[:40]} ({len(url)}) is {'accepted' if ok else 'refused'}", "profile", TODAY, profile(website=url),
             {} if ok else None, None if ok else one("website", "field.invalidUrl"))
    for phone, ok in [("+8613800138000", True), ("+1234567", True), ("+123456", False), ("+1234567890123456", False),
                      ("14255550100", False), ("", True)]:
        case(f, f"phone `{phone}` is {'accepted' if ok else 'refused'}", "profile", TODAY, profile(phone=phone),
             {} if ok else None, None if ok else one("phone", "field.invalidPhone"))
    case(f, "51 countries are refused", "profile", TODAY,
         profile(countries=["US", "CN", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "MX", "CA", "AU", "NZ", "IT", "ES", "PT", "NL",
                            "BE", "CH", "AT", "SE", "NO", "DK", "FI", "IE", "PL", "CZ", "SK", "HU", "RO", "BG", "GR", "TR", "IL",
                            "AE", "SA", "EG", "ZA", "NG", "KE", "AR", "CL", "CO", "PE", "SG", "MY", "TH", "VN", "PH", "ID", "HK"]),
         error=one("countries", "field.count"))
    case(f, "21 languages are refused", "profile", TODAY,
         profile(languages=["en", "zh", "de", "fr", "es", "pt", "it", "ja", "ko", "ru", "ar", "hi", "nl", "sv", "no", "da", "fi", "pl",
                            "cs", "tr", "he"]),
         error=one("languages", "field.count"))
    prof = profile()
    ent = [enrollment()]
    case(f, "listed while an enrollment is active; programs derived", "listing", TODAY,
         {"context": {"partnerId": P1, "profile": prof, "enrollments": ent}},
         {"listed": True, "entry": {"partnerId": P1, "programs": ["microsoft-365"]}})
    case(f, "listed while renewal is due", "listing", "2027-01-14",
         {"context": {"partnerId": P1, "profile": prof, "enrollments": ent}}, {"listed": True})
    case(f, "not listed once the enrollment expired", "listing", "2027-01-15",
         {"context": {"partnerId": P1, "profile": prof, "enrollments": ent}}, {"listed": False, "entry": None})
    case(f, "not listed after withdrawal", "listing", "2026-06-01",
         {"context": {"partnerId": P1, "profile": prof, "enrollments": [enrollment(withdrawnOn="2026-05-01")]}}, {"listed": False})
    case(f, "not listed without enrollments", "listing", TODAY,
         {"context": {"partnerId": P1, "profile": prof, "enrollments": []}}, {"listed": False})

    def partner(pid, name, programs=("microsoft-365",), countries=("US",), languages=("en",), **e):
        return {"partnerId": pid, "profile": profile(companyName=name, countries=list(countries), languages=list(languages)),
                "enrollments": [enrollment(p, **e) for p in programs]}
    partners = [
        partner("3", "beta Partners", ("azure",), ("CN",), ("zh",)),
        partner("1", "Alpha Consulting", ("microsoft-365", "azure"), ("US", "CN"), ("en", "zh")),
        partner("2", "Alpha Consulting", ("security",), ("DE",), ("de", "en")),
        partner("4", "Gamma", ("microsoft-365",), ("US",), ("en",), expires="2026-02-01"),
        partner("5", "Delta", ("data-ai",), ("FR",), ("fr",)),
    ]
    dctx = {"partners": partners}
    case(f, "search orders by company name (ignoring case) then id; expired partners hidden", "directorySearch", TODAY,
         {"context": dctx},
         {"items": [{"partnerId": "1"}, {"partnerId": "2"}, {"partnerId": "3"}, {"partnerId": "5"}]})
    case(f, "search by program", "directorySearch", TODAY, {"programId": "azure", "context": dctx},
         {"items": [{"partnerId": "1", "programs": ["azure", "microsoft-365"]}, {"partnerId": "3"}]})
    case(f, "search by country, case-insensitive", "directorySearch", TODAY, {"country": "cn", "context": dctx},
         {"items": [{"partnerId": "1"}, {"partnerId": "3"}]})
    case(f, "search by language and program together", "directorySearch", TODAY,
         {"language": "en", "programId": "security", "context": dctx}, {"items": [{"partnerId": "2"}]})
    case(f, "a page of 2 has a cursor", "directorySearch", TODAY, {"limit": 2, "context": dctx},
         {"items": [{"partnerId": "1"}, {"partnerId": "2"}], "nextCursor": "WyJhbHBoYSBjb25zdWx0aW5nIiwiMiJd"})
    case(f, "the cursor continues after the same name with the next id", "directorySearch", TODAY,
         {"limit": 2, "cursor": "WyJhbHBoYSBjb25zdWx0aW5nIiwiMSJd", "context": dctx},
         {"items": [{"partnerId": "2"}, {"partnerId": "3"}]})
    case(f, "the last page has no cursor", "directorySearch", TODAY,
         {"limit": 2, "cursor": "WyJhbHBoYSBjb25zdWx0aW5nIiwiMiJd", "context": dctx},
         {"items": [{"partnerId": "3"}, {"partnerId": "5"}], "nextCursor": None})
    case(f, "no match gives an empty page", "directorySearch", TODAY, {"country": "JP", "context": dctx}, {"items": []})
    case(f, "limit 50 is accepted", "directorySearch", TODAY, {"limit": 50, "context": dctx}, {"items": [{}, {}, {}, {}]})
    case(f, "limit 0 and 51 are refused, bad filters reported together", "directorySearch", TODAY,
         {"limit": 51, "country": "XX", "language": "english", "programId": "nope", "cursor": "%%%", "context": dctx},
         error=err("validation.failed", ("limit", "field.outOfRange"), ("country", "field.unknownCountry"),
                   ("language", "field.unknownLanguage"), ("programId", "program.unknown"), ("cursor", "field.invalidCursor")))
    case(f, "limit 0 is refused", "directorySearch", TODAY, {"limit": 0, "context": dctx}, error=one("limit", "field.outOfRange"))
    # The search form alone, as a browser checks it before asking the API.
    case(f, "an empty search form reads as the first page of 20", "searchForm", TODAY, {}, {"limit": 20})
    case(f, "the search form normalises its filters and keeps the cursor", "searchForm", TODAY,
         {"programId": " azure ", "country": "cn", "language": "ZH", "limit": 5,
          "cursor": " WyJhbHBoYSBjb25zdWx0aW5nIiwiMiJd "},
         {"programId": "azure", "country": "CN", "language": "zh", "limit": 5,
          "cursor": "WyJhbHBoYSBjb25zdWx0aW5nIiwiMiJd"})
    case(f, "blank search fields count as absent", "searchForm", TODAY,
         {"programId": "", "country": "  ", "language": None, "cursor": ""}, {"limit": 20})
    case(f, "the search form reports every bad field at once", "searchForm", TODAY,
         {"limit": 51, "country": "XX", "language": "english", "programId": "nope", "cursor": "%%%"},
         error=err("validation.failed", ("limit", "field.outOfRange"), ("country", "field.unknownCountry"),
                   ("language", "field.unknownLanguage"), ("programId", "program.unknown"), ("cursor", "field.invalidCursor")))
    case(f, "the search form has no context and no other fields", "searchForm", TODAY,
         {"context": {"partners": []}}, error=one("context.partners", "request.malformed"))
    case(f, "搜索表单的错误以中文说明", "searchForm", TODAY, {"limit": 0}, error=one("limit", "field.outOfRange"),
         locale="zh-CN")


# ---------------------------------------------------------------- vouchers (§7)
def vouchers():
    f = "voucher.json"
    form = {"voucherNumber": "saps-0001-m365", "programId": "microsoft-365", "days": 5, "customerName": "Contoso Ltd",
            "adminEmail": "IT-Admin@Contoso.example", "partnerId": P1}
    case(f, "assign creates an assigned voucher expiring 180 days later", "assign", "2026-01-01", form,
         {"voucher": {"voucherNumber": "SAPS0001M365", "state": "assigned", "createdOn": "2026-01-01", "expiresOn": "2026-06-30",
                      "version": 1, "adminEmail": "IT-Admin@Contoso.example"},
          "history": {"event": "assign", "to": "assigned", "version": 1}})
    case(f, "assign on 29 February", "assign", "2028-02-29", form, {"voucher": {"expiresOn": "2028-08-27"}})
    for days, ok in [(0, False), (1, True), (20, True), (21, False)]:
        case(f, f"{days} days for microsoft-365 (1-20) is {'accepted' if ok else 'refused'}", "assign", TODAY, {**form, "days": days},
             {"voucher": {"days": days}} if ok else None, None if ok else one("days", "field.outOfRange"))
    case(f, "business-applications has its own day range (2-10)", "assign", TODAY,
         {**form, "programId": "business-applications", "days": 1}, error=one("days", "field.outOfRange"))
    case(f, "a used voucher number is refused", "assign", TODAY, {**form, "context": {"numberInUse": True}},
         error=one("voucherNumber", "voucher.numberInUse"))
    case(f, "assign reports every problem", "assign", TODAY,
         {"voucherNumber": "short", "programId": "nope", "days": 3, "customerName": " ", "adminEmail": "x", "partnerId": "12345678901"},
         error=err("validation.failed", ("voucherNumber", "field.invalidVoucherNumber"), ("programId", "program.unknown"),
                   ("customerName", "field.required"), ("adminEmail", "field.invalidEmail"), ("partnerId", "field.invalidId")))
    case(f, "assign with nothing", "assign", TODAY, {},
         error=err("field.required", *[(k, "field.required") for k in
                                       ["voucherNumber", "programId", "days", "customerName", "adminEmail", "partnerId"]]))
    # validate
    vctx = {"actor": PA, "voucher": voucher()}
    vin = {"voucherNumber": "SAPS-0001-M365", "adminEmail": "it-admin@CONTOSO.example"}
    case(f, "validate by number and administrator email (case-insensitive)", "validate", TODAY, {**vin, "context": vctx},
         {"voucherNumber": "SAPS0001M365", "effectiveState": "assigned", "allowedActions": ["validate", "reserve"]})
    uni = {**vctx, "voucher": voucher(adminEmail="Élodie.ΟΔΟΣ@Contoso.example")}
    case(f, "the administrator email ignores case beyond ASCII, each letter alike wherever it stands", "validate", TODAY,
         {**vin, "adminEmail": "ÉLODIE.οδοσ@contoso.EXAMPLE", "context": uni}, {"effectiveState": "assigned"})
    case(f, "an accent is not a case: é is not e", "validate", TODAY,
         {**vin, "adminEmail": "elodie.οδοσ@contoso.example", "context": uni}, error=one("adminEmail", "voucher.adminEmailMismatch"))
    case(f, "validate with the wrong administrator email", "validate", TODAY,
         {**vin, "adminEmail": "someone@contoso.example", "context": vctx}, error=one("adminEmail", "voucher.adminEmailMismatch"))
    case(f, "another partner's voucher is not found", "validate", TODAY, {**vin, "context": {**vctx, "actor": PA2}},
         error=one("voucherNumber", "voucher.notFound"))
    case(f, "an unknown voucher is not found", "validate", TODAY, {**vin, "context": {"actor": PA}},
         error=one("voucherNumber", "voucher.notFound"))
    case(f, "a different number than the stored voucher is not found", "validate", TODAY,
         {**vin, "voucherNumber": "SAPS0002M365", "context": vctx}, error=one("voucherNumber", "voucher.notFound"))
    case(f, "validate on the last valid day", "validate", "2026-06-29", {**vin, "context": vctx}, {"effectiveState": "assigned"})
    case(f, "validate on the expiry day reports expired", "validate", "2026-06-30", {**vin, "context": vctx},
         error=one("voucherNumber", "voucher.expired"))
    case(f, "expired and wrong email are both reported", "validate", "2026-07-01",
         {**vin, "adminEmail": "x@y.example", "context": vctx},
         error=err("validation.failed", ("voucherNumber", "voucher.expired"), ("adminEmail", "voucher.adminEmailMismatch")))
    case(f, "a reserved voucher cannot be validated again", "validate", TODAY,
         {**vin, "context": {**vctx, "voucher": voucher("reserved")}}, error=one("voucherNumber", "voucher.invalidTransition"))
    # reserve
    rin = {"adminEmail": "it-admin@contoso.example", "acceptTerms": True, "engagementStart": "2026-03-10", "engagementEnd": "2026-03-12"}
    rctx = {"actor": PA, "voucher": voucher(), "enrollment": enrollment()}
    case(f, "reserve schedules the engagement and notifies the customer", "reserve", TODAY, {**rin, "context": rctx},
         {"voucher": {"state": "reserved", "version": 4,
                      "reservation": {"reservedOn": TODAY, "engagementStart": "2026-03-10", "engagementEnd": "2026-03-12"}},
          "history": {"event": "reserve", "from": "assigned", "to": "reserved", "version": 4, "on": TODAY},
          "notification": {"to": "it-admin@contoso.example", "event": "reserve", "voucherNumber": "SAPS0001M365"}})
    case(f, "reserve with the engagement starting today", "reserve", TODAY,
         {**rin, "engagementStart": TODAY, "engagementEnd": TODAY, "context": rctx}, {"voucher": {"state": "reserved"}})
    case(f, "reserve with the engagement starting yesterday", "reserve", TODAY,
         {**rin, "engagementStart": "2026-03-01", "context": rctx}, error=one("engagementStart", "voucher.engagementStartInPast"))
    case(f, "reserve with the engagement ending the day before expiry", "reserve", TODAY,
         {**rin, "engagementEnd": "2026-06-29", "context": rctx}, {"voucher": {"state": "reserved"}})
    case(f, "reserve with the engagement ending on expiresOn", "reserve", TODAY,
         {**rin, "engagementEnd": "2026-06-30", "context": rctx}, error=one("engagementEnd", "voucher.engagementEndAfterExpiry"))
    case(f, "reserve with the end before the start", "reserve", TODAY,
         {**rin, "engagementStart": "2026-03-12", "engagementEnd": "2026-03-10", "context": rctx},
         error=one("engagementEnd", "field.endBeforeStart"))
    case(f, "reserve without accepting the terms", "reserve", TODAY, {**rin, "acceptTerms": False, "context": rctx},
         error=one("acceptTerms", "voucher.termsNotAccepted"))
    case(f, "reserve without an enrollment", "reserve", TODAY, {**rin, "context": {**rctx, "enrollment": None}},
         error=one("voucherNumber", "enrollment.notActive"))
    case(f, "reserve with an expired enrollment", "reserve", "2027-01-15",
         {**rin, "engagementStart": "2027-01-20", "engagementEnd": "2027-01-21",
          "context": {**rctx, "voucher": voucher(createdOn="2026-12-01", expiresOn="2027-05-30")}},
         error=one("voucherNumber", "enrollment.notActive"))
    case(f, "reserve with an enrollment in another program", "reserve", TODAY,
         {**rin, "context": {**rctx, "enrollment": enrollment("azure")}}, error=one("voucherNumber", "enrollment.notActive"))
    case(f, "reserve reports every failing guard", "reserve", TODAY,
         {"adminEmail": "x@y.example", "acceptTerms": False, "engagementStart": "2026-02-01", "engagementEnd": "2026-07-01",
          "context": {**rctx, "enrollment": None}},
         error=err("validation.failed", ("adminEmail", "voucher.adminEmailMismatch"), ("acceptTerms", "voucher.termsNotAccepted"),
                   ("engagementStart", "voucher.engagementStartInPast"), ("engagementEnd", "voucher.engagementEndAfterExpiry"),
                   ("voucherNumber", "enrollment.notActive")))
    case(f, "reserve an expired voucher", "reserve", "2026-06-30",
         {**rin, "engagementStart": "2026-06-30", "engagementEnd": "2026-06-30", "context": rctx},
         error=err("validation.failed", ("voucherNumber", "voucher.expired"), ("engagementEnd", "voucher.engagementEndAfterExpiry")))
    case(f, "reserve a reserved voucher", "reserve", TODAY, {**rin, "context": {**rctx, "voucher": voucher("reserved")}},
         error=one("voucherNumber", "voucher.invalidTransition"))
    case(f, "reserve another partner's voucher", "reserve", TODAY, {**rin, "context": {**rctx, "actor": PA2}},
         error=one("voucherNumber", "voucher.notFound"))
    case(f, "a partner user may not reserve", "reserve", TODAY, {**rin, "context": {**rctx, "actor": PU}},
         error=one("roles", "access.forbidden"))
    case(f, "reserve form with missing fields", "reserve", TODAY, {"context": rctx},
         error=err("field.required", ("adminEmail", "field.required"), ("acceptTerms", "field.required"),
                   ("engagementStart", "field.required"), ("engagementEnd", "field.required")))
    case(f, "reserve form with bad dates", "reservationForm", TODAY,
         {**rin, "engagementStart": "2026-02-30", "engagementEnd": "10/03/2026"},
         error=err("field.invalidDate", ("engagementStart", "field.invalidDate"), ("engagementEnd", "field.invalidDate")))
    case(f, "reservation form checks what needs no voucher", "reservationForm", TODAY,
         {**rin, "acceptTerms": False, "engagementStart": "2026-03-01"},
         error=err("validation.failed", ("acceptTerms", "voucher.termsNotAccepted"), ("engagementStart", "voucher.engagementStartInPast")))
    case(f, "reservation form reports format and rule problems at once", "reservationForm", TODAY,
         {**rin, "adminEmail": "nobody", "acceptTerms": False, "engagementStart": "2026-03-12", "engagementEnd": "2026-03-10"},
         error=err("validation.failed", ("adminEmail", "field.invalidEmail"), ("acceptTerms", "voucher.termsNotAccepted"),
                   ("engagementEnd", "field.endBeforeStart")))
    case(f, "reservation form accepted", "reservationForm", TODAY, rin, {"acceptTerms": True, "engagementEnd": "2026-03-12"})
    # cancel
    cctx = {"actor": PA, "voucher": voucher("reserved")}
    for reason in ["offerChanged", "engagementCancelled", "customerChoseAnotherPartner"]:
        case(f, f"cancel a reservation because {reason}", "cancelReservation", TODAY, {"reason": reason, "context": cctx},
             {"voucher": {"state": "assigned", "reservation": None, "expiresOn": "2026-06-30"},
              "history": {"event": "cancelReservation", "detail": reason},
              "notification": {"event": "cancelReservation", "detail": reason}})
    case(f, "cancel with an unknown reason", "cancelReservation", TODAY, {"reason": "bored", "context": cctx},
         error=one("reason", "field.unknownValue"))
    case(f, "cancel without a reason", "cancellationForm", TODAY, {}, error=one("reason", "field.required"))
    case(f, "the cancellation form accepts a known reason", "cancellationForm", TODAY, {"reason": "offerChanged"},
         {"reason": "offerChanged"})
    case(f, "cancel an assigned voucher", "cancelReservation", TODAY, {"reason": "offerChanged", "context": {**cctx, "voucher": voucher()}},
         error=one("voucherNumber", "voucher.invalidTransition"))
    case(f, "cancel after expiry", "cancelReservation", "2026-06-30", {"reason": "offerChanged", "context": cctx},
         error=one("voucherNumber", "voucher.expired"))
    case(f, "cancel the day before expiry", "cancelReservation", "2026-06-29", {"reason": "offerChanged", "context": cctx},
         {"voucher": {"state": "assigned"}})
    # effective state and allowed actions
    for state, day, effective, actions in [
            ("assigned", "2026-06-29", "assigned", ["validate", "reserve"]),
            ("assigned", "2026-06-30", "expired", []),
            ("reserved", "2026-06-30", "expired", []),
            ("completed", "2026-06-29", "completed", ["redeem"]),
            ("completed", "2026-06-30", "expired", []),
            ("redeemed", "2026-06-29", "redeemed", ["createClaim"]),
            ("redeemed", "2026-06-30", "redeemed", []),
            ("claimed", "2026-12-31", "claimed", []),
            ("paid", "2027-12-31", "paid", [])]:
        case(f, f"a {state} voucher on {day} is {effective} with actions {actions}", "voucherState", day,
             {"context": {"actor": PA, "voucher": voucher(state)}}, {"effectiveState": effective, "allowedActions": actions})
    case(f, "a partner user sees the state but no actions", "voucherState", TODAY,
         {"context": {"actor": PU, "voucher": voucher()}}, {"effectiveState": "assigned", "allowedActions": []})
    case(f, "the program admin may settle a claimed voucher", "voucherState", TODAY,
         {"context": {"actor": ADMIN, "voucher": voucher("claimed")}}, {"allowedActions": ["claimPaid", "claimRejected"]})
    case(f, "another partner cannot read the voucher", "voucherState", TODAY,
         {"context": {"actor": PA2, "voucher": voucher()}}, error=one("voucherNumber", "voucher.notFound"))
    case(f, "the sweep stores the expiry", "expire", "2026-06-30", {"context": {"actor": ADMIN, "voucher": voucher("reserved")}},
         {"voucher": {"state": "expired"}, "history": {"event": "expire", "from": "reserved", "to": "expired"}})
    case(f, "the sweep refuses a voucher not yet expired", "expire", "2026-06-29",
         {"context": {"actor": ADMIN, "voucher": voucher()}}, error=one("voucherNumber", "voucher.invalidTransition"))
    case(f, "expired is terminal", "reserve", "2026-07-10",
         {**rin, "context": {**rctx, "voucher": voucher("expired")}}, error=one("voucherNumber", "voucher.expired"))
    # list and export
    many = [voucher(voucherNumber="SAPS0003M365"), voucher("reserved", voucherNumber="SAPS0002M365"),
            voucher("paid", voucherNumber="SAPS0001M365"), voucher(voucherNumber="OTHER0001", partnerId=P2)]
    case(f, "list a partner's vouchers, sorted, other partners' hidden", "listVouchers", TODAY,
         {"context": {"actor": PA, "vouchers": many}},
         [{"voucherNumber": "SAPS0001M365"}, {"voucherNumber": "SAPS0002M365"}, {"voucherNumber": "SAPS0003M365"}])
    case(f, "list filtered by effective state", "listVouchers", "2026-06-30", {"state": "expired", "context": {"actor": PA, "vouchers": many}},
         [{"voucherNumber": "SAPS0002M365"}, {"voucherNumber": "SAPS0003M365"}])
    case(f, "list with an unknown state filter", "listVouchers", TODAY, {"state": "lost", "context": {"actor": PA, "vouchers": many}},
         error=one("state", "field.unknownValue"))
    case(f, "export available vouchers as CSV", "exportCsv", TODAY, {"state": "assigned", "context": {"actor": PA, "vouchers": many}},
         {"csv": "voucherNumber,programId,days,customerName,adminEmail,state,createdOn,expiresOn,engagementStart,engagementEnd\r\n"
                 "SAPS0003M365,microsoft-365,5,Contoso Ltd,it-admin@contoso.example,assigned,2026-01-01,2026-06-30,,\r\n"})
    case(f, "CSV quotes commas and defuses formulas", "exportCsv", TODAY,
         {"context": {"actor": PA, "vouchers": [voucher(customerName="=HYPERLINK(\"x\"), Inc")]}},
         {"csv": "voucherNumber,programId,days,customerName,adminEmail,state,createdOn,expiresOn,engagementStart,engagementEnd\r\n"
                 "SAPS0001M365,microsoft-365,5,\"'=HYPERLINK(\"\"x\"\"), Inc\",it-admin@contoso.example,assigned,2026-01-01,2026-06-30,,\r\n"})


# ---------------------------------------------------------------- completion (§8)
def completion():
    f = "completion.json"
    ctx = {"actor": PA, "voucher": voucher("reserved"), "facts": facts(), "uploaded": UPLOADED}
    case(f, "a valid completion report completes the voucher", "submitCompletionReport", TODAY, {**report_form(), "context": ctx},
         {"voucher": {"state": "completed", "completionReport": {"daysDelivered": 4}}, "history": {"event": "submitCompletionReport"}})
    case(f, "delivery starting on the reservation day", "submitCompletionReport", TODAY,
         {**report_form(deliveredStart="2026-02-01"), "context": ctx}, {"voucher": {"state": "completed"}})
    case(f, "delivery starting before the reservation", "submitCompletionReport", TODAY,
         {**report_form(deliveredStart="2026-01-31"), "context": ctx}, error=one("deliveredStart", "completion.startBeforeReservation"))
    case(f, "delivery ending today", "submitCompletionReport", TODAY, {**report_form(deliveredEnd=TODAY), "context": ctx},
         {"voucher": {"state": "completed"}})
    case(f, "delivery ending tomorrow", "submitCompletionReport", TODAY, {**report_form(deliveredEnd="2026-03-03"), "context": ctx},
         error=one("deliveredEnd", "completion.endInFuture"))
    case(f, "delivery ending the day before expiry, reported that day", "submitCompletionReport", "2026-06-29",
         {**report_form(deliveredEnd="2026-06-29"), "context": ctx}, {"voucher": {"state": "completed"}})
    case(f, "a report on the expiry day is refused", "submitCompletionReport", "2026-06-30",
         {**report_form(deliveredEnd="2026-06-30"), "context": ctx},
         error=err("validation.failed", ("voucherNumber", "voucher.expired"), ("deliveredEnd", "completion.endAfterExpiry")))
    for days, ok in [(5, True), (6, False)]:
        case(f, f"{days} days delivered on a 5-day voucher is {'accepted' if ok else 'refused'}", "submitCompletionReport", TODAY,
             {**report_form(daysDelivered=days), "context": ctx}, {"voucher": {"state": "completed"}} if ok else None,
             None if ok else one("daysDelivered", "completion.daysExceedVoucher"))
    case(f, "zero days delivered", "completionReportForm", TODAY, report_form(daysDelivered=0), error=one("daysDelivered", "field.outOfRange"))
    case(f, "an unknown lead consultant", "submitCompletionReport", TODAY, {**report_form(leadConsultantId="c-404"), "context": ctx},
         error=one("leadConsultantId", "completion.unknownConsultant"))
    lapsed = facts(consultants=[{"consultantId": "c-1", "name": "Li Wei", "exams": [{"code": "MS-102", "passedOn": "2024-05-01", "validUntil": "2026-02-12"}]}])
    case(f, "the lead consultant's exam lapsed on deliveredEnd", "submitCompletionReport", TODAY,
         {**report_form(), "context": {**ctx, "facts": lapsed}}, error=one("leadConsultantId", "completion.consultantNotQualified"))
    held = facts(consultants=[{"consultantId": "c-1", "name": "Li Wei", "exams": [{"code": "MS-102", "passedOn": "2024-05-01", "validUntil": "2026-02-13"}]}])
    case(f, "the lead consultant's exam held on deliveredEnd is enough", "submitCompletionReport", TODAY,
         {**report_form(), "context": {**ctx, "facts": held}}, {"voucher": {"state": "completed"}})
    case(f, "a deliverable that was not uploaded", "submitCompletionReport", TODAY,
         {**report_form(deliverables=[{"fileName": "plan.pdf", "mediaType": PDF, "size": 1024, "sha256": SHA_B}]), "context": ctx},
         error=one("deliverables[0].sha256", "completion.deliverableNotUploaded"))
    case(f, "a report on an assigned voucher", "submitCompletionReport", TODAY, {**report_form(), "context": {**ctx, "voucher": voucher()}},
         error=one("voucherNumber", "voucher.invalidTransition"))
    for n, ok in [(19, False), (20, True), (4000, True), (4001, False)]:
        case(f, f"summary of {n} characters is {'accepted' if ok else 'refused'}", "completionReportForm", TODAY,
             report_form(summary="s" * n), {"summary": "s" * n} if ok else None, None if ok else one("summary", "field.length"))
    case(f, "no deliverables", "completionReportForm", TODAY, report_form(deliverables=[]), error=one("deliverables", "field.required"))
    twenty_one = [{"fileName": f"d{i}.pdf", "mediaType": PDF, "size": 1, "sha256": SHA_A} for i in range(21)]
    case(f, "21 deliverables", "completionReportForm", TODAY, report_form(deliverables=twenty_one), error=one("deliverables", "field.count"))
    case(f, "20 deliverables", "completionReportForm", TODAY, report_form(deliverables=twenty_one[:20]), {"deliverables": [{}] * 20})
    for name, ok in [("../etc/passwd", False), ("a\\b.pdf", False), ("plan\u0007.pdf", False), ("..", False), ("", False),
                     ("x" * 200, True), ("x" * 201, False), ("方案 v2.pdf", True), (" plan.pdf", False)]:
        case(f, f"file name {name[:20]!r} ({len(name)}) is {'accepted' if ok else 'refused'}", "completionReportForm", TODAY,
             report_form(deliverables=[{"fileName": name, "mediaType": PDF, "size": 1, "sha256": SHA_A}]),
             {"deliverables": [{"fileName": name}]} if ok else None,
             None if ok else one("deliverables[0].fileName", "field.required" if name == "" else "field.invalidFileName"))
    for size, ok in [(0, False), (1, True), (5 * 1024 * 1024, True), (5 * 1024 * 1024 + 1, False)]:
        case(f, f"deliverable of {size} bytes is {'accepted' if ok else 'refused'}", "completionReportForm", TODAY,
             report_form(deliverables=[{"fileName": "a.pdf", "mediaType": PDF, "size": size, "sha256": SHA_A}]),
             {"deliverables": [{"size": size}]} if ok else None, None if ok else one("deliverables[0].size", "field.outOfRange"))
    for media, ok in [(PDF, True), (DOCX, True), ("application/zip", True), ("Application/PDF; charset=binary", True),
                      ("image/png", False), ("text/html", False)]:
        case(f, f"media type {media} is {'accepted' if ok else 'refused'}", "completionReportForm", TODAY,
             report_form(deliverables=[{"fileName": "a", "mediaType": media, "size": 1, "sha256": SHA_A}]),
             {} if ok else None, None if ok else one("deliverables[0].mediaType", "field.unsupportedMediaType"))
    case(f, "sha256 must be 64 hex characters", "completionReportForm", TODAY,
         report_form(deliverables=[{"fileName": "a.pdf", "mediaType": PDF, "size": 1, "sha256": "abc"}]),
         error=one("deliverables[0].sha256", "field.invalidSha256"))
    case(f, "upper-case sha256 is normalised", "completionReportForm", TODAY,
         report_form(deliverables=[{"fileName": "a.pdf", "mediaType": PDF, "size": 1, "sha256": "A" * 64}]),
         {"deliverables": [{"sha256": "a" * 64}]})
    case(f, "duplicate file names", "completionReportForm", TODAY,
         report_form(deliverables=[{"fileName": "a.pdf", "mediaType": PDF, "size": 1, "sha256": SHA_A}] * 2),
         error=one("deliverables[1].fileName", "field.duplicate"))
    case(f, "delivered end before start", "completionReportForm", TODAY, report_form(deliveredStart="2026-02-12", deliveredEnd="2026-02-10"),
         error=one("deliveredEnd", "field.endBeforeStart"))
    case(f, "an empty report reports every field", "completionReportForm", TODAY, {},
         error=err("field.required", *[(k, "field.required") for k in
                                       ["deliveredStart", "deliveredEnd", "daysDelivered", "leadConsultantId", "summary", "deliverables"]]))
    case(f, "a deliverable missing all its fields", "completionReportForm", TODAY, report_form(deliverables=[{}]),
         error=err("field.required", *[(f"deliverables[0].{k}", "field.required") for k in ["fileName", "mediaType", "size", "sha256"]]))


# ---------------------------------------------------------------- redemption (§9)
def redemption():
    f = "redemption.json"
    batch = [numbered(i) for i in range(1, 4)]
    ctx = {"actor": PA, "vouchers": batch}
    sel = ["SAPS0001BATCH", "saps-0002-batch", "SAPS0003BATCH"]
    case(f, "preview lists days and value of each voucher", "redemptionPreview", TODAY, {"voucherNumbers": sel, "context": ctx},
         {"lines": [{"voucherNumber": "SAPS0001BATCH", "days": 5, "daysDelivered": 4, "value": {"minorUnits": 480000, "currency": "USD"},
                     "redeemable": True, "reasons": []}, {"redeemable": True}, {"redeemable": True}],
          "totals": [{"minorUnits": 1440000, "currency": "USD"}], "redeemable": True})
    mixed = batch + [numbered(4, "reserved"), numbered(5, partnerId=P2), numbered(6, expiresOn="2026-03-02")]
    case(f, "preview explains each voucher that cannot be redeemed", "redemptionPreview", TODAY,
         {"voucherNumbers": ["SAPS0001BATCH", "SAPS0004BATCH", "SAPS0005BATCH", "SAPS0006BATCH", "SAPS0099BATCH"],
          "context": {**ctx, "vouchers": mixed}},
         {"lines": [{"redeemable": True}, {"redeemable": False, "reasons": [{"code": "voucher.invalidTransition"}]},
                    {"redeemable": False, "reasons": [{"code": "voucher.notFound"}], "days": None},
                    {"redeemable": False, "reasons": [{"code": "voucher.expired"}]},
                    {"redeemable": False, "reasons": [{"code": "voucher.notFound"}]}],
          "totals": [{"minorUnits": 480000}], "redeemable": False})
    case(f, "redeem every selected voucher after confirmation", "redeem", TODAY, {"voucherNumbers": sel, "confirm": True, "context": ctx},
         {"vouchers": [{"voucher": {"state": "redeemed", "redeemedOn": TODAY}, "history": {"event": "redeem"}}] * 3})
    case(f, "redeem without confirmation", "redeem", TODAY, {"voucherNumbers": sel, "confirm": False, "context": ctx},
         error=one("confirm", "redemption.notConfirmed"))
    case(f, "redeem with confirm missing", "redeem", TODAY, {"voucherNumbers": sel, "context": ctx}, error=one("confirm", "field.required"))
    case(f, "one failing voucher fails the whole batch", "redeem", TODAY,
         {"voucherNumbers": ["SAPS0001BATCH", "SAPS0004BATCH", "SAPS0002BATCH"], "confirm": True, "context": {**ctx, "vouchers": mixed}},
         error=one("voucherNumbers[1]", "voucher.invalidTransition"))
    case(f, "every failing voucher of a batch is reported", "redeem", TODAY,
         {"voucherNumbers": ["SAPS0004BATCH", "SAPS0005BATCH", "SAPS0006BATCH"], "confirm": True, "context": {**ctx, "vouchers": mixed}},
         error=err("validation.failed", ("voucherNumbers[0]", "voucher.invalidTransition"), ("voucherNumbers[1]", "voucher.notFound"),
                   ("voucherNumbers[2]", "voucher.expired")))
    case(f, "redeem on the last valid day", "redeem", "2026-06-29", {"voucherNumbers": sel[:1], "confirm": True, "context": ctx},
         {"vouchers": [{"voucher": {"state": "redeemed"}}]})
    case(f, "redeem on the expiry day", "redeem", "2026-06-30", {"voucherNumbers": sel[:1], "confirm": True, "context": ctx},
         error=one("voucherNumbers[0]", "voucher.expired"))
    case(f, "the redemption form normalizes a confirmed selection", "redemptionForm", TODAY,
         {"voucherNumbers": ["saps-0001-batch", "SAPS0002BATCH"], "confirm": True},
         {"voucherNumbers": ["SAPS0001BATCH", "SAPS0002BATCH"]})
    case(f, "the redemption form reports every field at once", "redemptionForm", TODAY,
         {"voucherNumbers": ["SAPS0001BATCH", "x"], "confirm": False},
         error=err("validation.failed", ("voucherNumbers[1]", "field.invalidVoucherNumber"), ("confirm", "redemption.notConfirmed")))
    case(f, "no vouchers selected", "redemptionPreview", TODAY, {"voucherNumbers": [], "context": ctx}, error=one("voucherNumbers", "field.required"))
    twenty_six = [f"SAPS{i:04d}BATCH" for i in range(1, 27)]
    case(f, "26 vouchers selected", "redeem", TODAY, {"voucherNumbers": twenty_six, "confirm": True, "context": ctx},
         error=one("voucherNumbers", "field.count"))
    twenty_five = [numbered(i) for i in range(1, 26)]
    case(f, "25 vouchers redeemed at once", "redeem", TODAY,
         {"voucherNumbers": twenty_six[:25], "confirm": True, "context": {"actor": PA, "vouchers": twenty_five}},
         {"vouchers": [{"voucher": {"state": "redeemed"}}] * 25})
    case(f, "a voucher selected twice", "redemptionPreview", TODAY, {"voucherNumbers": ["SAPS0001BATCH", "saps-0001-batch"], "context": ctx},
         error=one("voucherNumbers[1]", "field.duplicate"))
    case(f, "a partner user may not redeem", "redeem", TODAY, {"voucherNumbers": sel[:1], "confirm": True, "context": {**ctx, "actor": PU}},
         error=one("voucherNumbers[0]", "access.forbidden"))


# ---------------------------------------------------------------- claims (§10)
def claims():
    f = "claim.json"
    red = [numbered(i, "redeemed") for i in range(1, 4)]
    ctx = {"actor": PA, "vouchers": red, "claimId": "CLM-7"}
    sel = ["SAPS0001BATCH", "SAPS0002BATCH", "SAPS0003BATCH"]
    case(f, "create a claim: amount is the sum of delivered days times the rate", "createClaim", TODAY,
         {"voucherNumbers": sel, "invoiceNumber": "INV-2026/007", "context": ctx},
         {"claim": {"claimId": "CLM-7", "state": "submitted", "amount": {"minorUnits": 1440000, "currency": "USD"},
                    "programId": "microsoft-365", "submittedOn": TODAY, "partnerId": P1},
          "vouchers": [{"voucher": {"state": "claimed", "claimId": "CLM-7"}}] * 3})
    varied = [numbered(1, "redeemed", completionReport=report_out(1)), numbered(2, "redeemed", completionReport=report_out(5))]
    case(f, "amount with different delivered days", "createClaim", TODAY,
         {"voucherNumbers": sel[:2], "invoiceNumber": "A", "context": {**ctx, "vouchers": varied}},
         {"claim": {"amount": {"minorUnits": 720000, "currency": "USD"}}})
    case(f, "claim amount rule alone", "claimAmount", TODAY, {"context": {"vouchers": varied}}, {"minorUnits": 720000, "currency": "USD"})
    case(f, "claim amount of mixed programs", "claimAmount", TODAY,
         {"context": {"vouchers": [varied[0], numbered(3, "redeemed", programId="azure")]}},
         error=one("context.vouchers[1]", "claim.mixedPrograms"))
    case(f, "claim on the last day of the window", "createClaim", "2026-06-29",
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": ctx}, {"claim": {"state": "submitted"}})
    case(f, "claim on the day the window closes", "createClaim", "2026-06-30",
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": ctx}, error=one("voucherNumbers[0]", "claim.windowClosed"))
    ba = [numbered(1, "redeemed", programId="business-applications")]
    case(f, "business-applications has a 60-day claim window (last day)", "createClaim", "2026-05-30",
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": {**ctx, "vouchers": ba}},
         {"claim": {"amount": {"minorUnits": 440000}}})
    case(f, "business-applications claim window closed", "createClaim", "2026-05-31",
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": {**ctx, "vouchers": ba}},
         error=one("voucherNumbers[0]", "claim.windowClosed"))
    case(f, "a claim across programs is refused", "createClaim", TODAY,
         {"voucherNumbers": sel[:2], "invoiceNumber": "INV-1",
          "context": {**ctx, "vouchers": [red[0], numbered(2, "redeemed", programId="azure")]}},
         error=one("voucherNumbers[1]", "claim.mixedPrograms"))
    case(f, "a voucher already in an open claim cannot be claimed again", "createClaim", TODAY,
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": {**ctx, "vouchers": [numbered(1, "claimed")]}},
         error=one("voucherNumbers[0]", "voucher.invalidTransition"))
    case(f, "a completed voucher is not yet claimable", "createClaim", TODAY,
         {"voucherNumbers": sel[:1], "invoiceNumber": "INV-1", "context": {**ctx, "vouchers": [numbered(1, "completed")]}},
         error=one("voucherNumbers[0]", "voucher.invalidTransition"))
    for inv, ok in [("INV-2026/001", True), ("A" * 40, True), ("A" * 41, False), ("INV 1", False), ("INV_1", False), ("", False)]:
        case(f, f"invoice number {inv[:12]!r} ({len(inv)}) is {'accepted' if ok else 'refused'}", "claimForm", TODAY,
             {"voucherNumbers": sel, "invoiceNumber": inv}, {"invoiceNumber": inv} if ok else None,
             None if ok else one("invoiceNumber", "field.required" if inv == "" else "field.invalidInvoiceNumber"))
    case(f, "claim form with 26 vouchers", "claimForm", TODAY,
         {"voucherNumbers": [f"SAPS{i:04d}BATCH" for i in range(26)], "invoiceNumber": "A"}, error=one("voucherNumbers", "field.count"))
    case(f, "createClaim needs a claim id from the store", "createClaim", TODAY,
         {"voucherNumbers": sel, "invoiceNumber": "A", "context": {"actor": PA, "vouchers": red}}, error=one("context.claimId", "field.required"))
    cl = claim()
    cv = [voucher("claimed")]
    case(f, "approve a submitted claim", "approveClaim", "2026-04-10", {"context": {"actor": ADMIN, "claim": cl, "vouchers": cv}},
         {"claim": {"state": "approved", "decidedOn": "2026-04-10", "version": 2}, "vouchers": []})
    case(f, "pay an approved claim with a reference; vouchers paid", "payClaim", "2026-04-20",
         {"paymentReference": "PAY-42", "context": {"actor": ADMIN, "claim": claim("approved"), "vouchers": cv}},
         {"claim": {"state": "paid", "paymentReference": "PAY-42"}, "vouchers": [{"voucher": {"state": "paid"}}]})
    case(f, "a submitted claim cannot be paid before approval", "payClaim", "2026-04-20",
         {"paymentReference": "PAY-42", "context": {"actor": ADMIN, "claim": cl, "vouchers": cv}},
         error=one("claimId", "claim.invalidTransition"))
    case(f, "pay needs a payment reference", "payClaim", "2026-04-20",
         {"context": {"actor": ADMIN, "claim": claim("approved"), "vouchers": cv}}, error=one("paymentReference", "field.required"))
    for state in ["submitted", "approved"]:
        case(f, f"reject a {state} claim: vouchers back to redeemed", "rejectClaim", "2026-04-20",
             {"reason": "Invoice does not match", "context": {"actor": ADMIN, "claim": claim(state), "vouchers": cv}},
             {"claim": {"state": "rejected", "rejectionReason": "Invoice does not match"},
              "vouchers": [{"voucher": {"state": "redeemed", "claimId": None}, "history": {"event": "claimRejected", "detail": "CLM-1"}}]})
    case(f, "a rejected voucher may be claimed again inside the window", "createClaim", "2026-06-29",
         {"voucherNumbers": ["SAPS0001M365"], "invoiceNumber": "INV-2", "context": {"actor": PA, "claimId": "CLM-2", "vouchers": [voucher("redeemed")]}},
         {"claim": {"claimId": "CLM-2"}})
    case(f, "a paid claim cannot be rejected", "rejectClaim", "2026-05-01",
         {"reason": "late", "context": {"actor": ADMIN, "claim": claim("paid"), "vouchers": [voucher("paid")]}},
         error=one("claimId", "claim.invalidTransition"))
    case(f, "a rejected claim cannot be approved", "approveClaim", "2026-05-01",
         {"context": {"actor": ADMIN, "claim": claim("rejected"), "vouchers": []}}, error=one("claimId", "claim.invalidTransition"))
    case(f, "reject needs a reason", "rejectClaim", "2026-04-20", {"context": {"actor": ADMIN, "claim": cl, "vouchers": cv}},
         error=one("reason", "field.required"))
    case(f, "a partner admin cannot approve", "approveClaim", "2026-04-10", {"context": {"actor": PA, "claim": cl, "vouchers": cv}},
         error=one("roles", "access.forbidden"))
    case(f, "the program admin cannot create claims", "createClaim", TODAY,
         {"voucherNumbers": sel, "invoiceNumber": "A", "context": {**ctx, "actor": ADMIN}}, error=one("roles", "access.forbidden"))


# ---------------------------------------------------------------- access (§1)
def access():
    f = "access.json"
    admin_p = {"sub": "u1", "partnerId": P1, "roles": ["partner_admin"]}
    user_p = {"sub": "u2", "partnerId": P1, "roles": ["partner_user"]}
    other = {"sub": "u3", "partnerId": P2, "roles": ["partner_admin"]}
    op = {"sub": "ops", "roles": ["program_admin"]}
    rows = [
        ("anonymous searches the directory", "searchDirectory", None, None, None),
        ("anonymous reads the catalog", "readCatalog", None, None, None),
        ("anonymous cannot read a partner", "readPartner", None, P1, "access.unauthenticated"),
        ("a partner admin manages its partner", "managePartner", admin_p, P1, None),
        ("a partner user reads its partner", "readPartner", user_p, P1, None),
        ("a partner user cannot manage", "managePartner", user_p, P1, "access.forbidden"),
        ("another partner's data is not found (read)", "readPartner", other, P1, "access.notFound"),
        ("another partner's data is not found (manage)", "managePartner", other, P1, "access.notFound"),
        ("a partner user of another partner gets not found too", "managePartner", {**user_p, "partnerId": P2}, P1, "access.notFound"),
        ("the program admin reads everything", "readPartner", op, P1, None),
        ("the program admin does not manage a partner", "managePartner", op, P1, "access.forbidden"),
        ("the program admin assigns vouchers", "assignVoucher", op, None, None),
        ("a partner admin cannot assign vouchers", "assignVoucher", admin_p, None, "access.forbidden"),
        ("the program admin maintains qualifications", "maintainQualifications", op, P1, None),
        ("a partner cannot maintain its own qualifications", "maintainQualifications", admin_p, P1, "access.forbidden"),
        ("the program admin decides claims", "decideClaim", op, None, None),
        ("a partner cannot decide claims", "decideClaim", admin_p, None, "access.forbidden"),
        ("the program admin maintains the catalog", "maintainCatalog", op, None, None),
        ("a principal without roles cannot read", "readPartner", {"sub": "x", "partnerId": P1, "roles": []}, P1, "access.forbidden"),
    ]
    for name, operation, principal, owner, code in rows:
        inp = {"operation": operation}
        if owner:
            inp["ownerPartnerId"] = owner
        if principal:
            inp["context"] = {"principal": principal}
        field = {"access.unauthenticated": "authorization", "access.notFound": "partnerId", "access.forbidden": "roles"}.get(code)
        case(f, name, "authorize", TODAY, inp, {"allowed": True} if code is None else None, None if code is None else one(field, code))
    case(f, "an unknown role is malformed", "authorize", TODAY,
         {"operation": "readPartner", "ownerPartnerId": P1, "context": {"principal": {"sub": "x", "roles": ["root"]}}},
         error=one("context.principal.roles[0]", "request.malformed"))
    case(f, "operation is required", "authorize", TODAY, {}, error=one("operation", "field.required"))


def main():
    for build in (values, eligibility, enrollment_rules, directory, vouchers, completion, redemption, claims, access):
        build()
    check = "--check" in sys.argv
    stale = []
    names = set()
    for file, cases in FILES.items():
        for c in cases:
            key = (file, c["name"])
            if key in names:
                sys.exit(f"duplicate case name in {file}: {c['name']}")
            names.add(key)
        text = json.dumps(cases, ensure_ascii=False, indent=1) + "\n"
        path = HERE / file
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(file)
        else:
            path.write_text(text, encoding="utf-8")
    total = sum(len(c) for c in FILES.values())
    if stale:
        sys.exit(f"stale vectors (run tests/vectors/generate.py): {', '.join(stale)}")
    print(f"{total} cases in {len(FILES)} files")


if __name__ == "__main__":
    main()
