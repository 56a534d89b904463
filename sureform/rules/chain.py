"""Item 7's approval chain of one presidium candidate form: complete, approved, in date order, 公示 long enough."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sureform.intake.labels import compact
from sureform.intake.values import parse_yes_no, to_date
from sureform.rules.evidence import fact, finding, source
from sureform.rules.view import MasterView
from sureform.rules.workdays import working_days_between

PUBLICITY = "publicity"


@dataclass
class ChainCheck:
    breaches: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)  # facts and warnings shown beside


def refused(result, negative_words) -> bool:
    text = compact(result)
    yes, _ = parse_yes_no(result)
    return yes is False or any(w in text for w in negative_words)


def check_chain(form: dict, view: MasterView, publicity_working_days: int) -> ChainCheck:
    """Every step filled, none refused, dates never going back, 公示 ≥ N working days with 无异议."""
    vocab = view.catalogue.vocabulary
    negative = list(vocab.get("negative_results", []))
    out = ChainCheck()
    previous: tuple[str, date] | None = None
    publicity_end: date | None = None
    for step in view.catalogue.raw.get("candidate_steps", []):
        key, label = step["key"], step["label"]
        if key == PUBLICITY:
            start, end = _publicity(form, label, vocab, publicity_working_days, out)
            if start and previous and start < previous[1]:
                out.breaches.append(_order(form, "publicity_start", label, start, previous))
            if end:
                previous, publicity_end = (label, end), end
            continue
        result_key, date_key = f"{key}_result", f"{key}_date"
        result, day = form.get(result_key), to_date(form.get(date_key))
        if not _filled(result):
            out.breaches.append(finding("candidate-step-missing", form, result_key, label, None, step=label, what="结果"))
        elif refused(result, negative):
            out.breaches.append(finding("candidate-step-refused", form, result_key, label, result, step=label))
        if day is None:
            out.breaches.append(finding("candidate-step-missing", form, date_key, label, form.get(date_key),
                                        step=label, what="日期"))
            continue
        if publicity_end and day <= publicity_end:
            out.breaches.append(finding("candidate-step-during-publicity", form, date_key, label, day.isoformat(),
                                        step=label, end=publicity_end.isoformat()))
        elif previous and day < previous[1]:
            out.breaches.append(_order(form, date_key, label, day, previous))
        previous = (label, day)
    return out


def _publicity(form, label, vocab, minimum: int, out: ChainCheck) -> tuple[date | None, date | None]:
    start, end = to_date(form.get("publicity_start")), to_date(form.get("publicity_end"))
    result = form.get("publicity_result")
    for key, day, what in (("publicity_start", start, "开始日期"), ("publicity_end", end, "结束日期")):
        if day is None:
            out.breaches.append(finding("candidate-step-missing", form, key, label, form.get(key), step=label, what=what))
    if not _filled(result):
        out.breaches.append(finding("candidate-step-missing", form, "publicity_result", label, None, step=label,
                                    what="结果"))
    elif not any(w in compact(result) for w in vocab.get("publicity_ok_results", ["无异议"])):
        out.breaches.append(finding("publicity-objection", form, "publicity_result", "公示结果", result))
    if start and end:
        days, warnings = working_days_between(start, end)
        out.notes.append(fact("公示工作日", f"{start.isoformat()} 至 {end.isoformat()}，{days} 个工作日",
                              source(form, "publicity_start")))
        out.notes.extend(finding("workdays-uncertain", form, "publicity_end", label, w) for w in warnings)
        if days < minimum:
            out.breaches.append(finding("publicity-too-short", form, "publicity_end", label, end.isoformat(),
                                        start=start.isoformat(), end=end.isoformat(), days=days, minimum=minimum))
    return start, end


def _order(form, key, label, day: date, previous: tuple[str, date]) -> dict:
    return finding("candidate-steps-out-of-order", form, key, label, day.isoformat(), step=label,
                   previous=previous[0], previous_date=previous[1].isoformat())


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""
