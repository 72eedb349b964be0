"""What the two ``platform`` fuzzers share: parse, build and synth a bounded sample, cfn-lint it, count, report.

``tests/property/test_fuzz_config.py`` draws mutants of cdk.json's reference object and
``tests/property/test_schema_fuzz.py`` draws objects from the committed JSON Schema; both judge each object the same
way. The invariant: a ``ConfigError`` naming the setting, or a valid synth whose templates pass cfn-lint; anything else
(TypeError, KeyError, a jsii error, a ConfigError naming nothing) is a failure. With ``keep_going`` (``make fuzz``)
every distinct failure is collected instead of raising at the first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

from eks_platform.config import CONTEXT_KEY
from eks_platform.errors import ConfigError
from eks_platform.stacks.app import build_app
from eks_platform.testing import cfn_lint_findings, synth_templates
from tests import support


class FuzzRun:
    """The counts and failures of one fuzz run, and the judgement of each drawn object."""

    def __init__(
        self,
        label: str,
        *,
        examples: int,
        synth_budget: int,
        keep_going: bool,
        parse: Callable[[Any], object],
        names_a_setting: Callable[[ConfigError, Any], bool],
        build_error_names_a_setting: Callable[[ConfigError, Any], bool] | None = None,
        counted_sections: tuple[str, ...] = (),
    ) -> None:
        self.label = label
        self.examples = examples
        self.synth_budget = synth_budget
        self.keep_going = keep_going
        self.parse = parse
        self.names_a_setting = names_a_setting
        self.build_error_names_a_setting = build_error_names_a_setting or names_a_setting
        self.counted_sections = counted_sections
        self.stats: Counter[str] = Counter()
        self.failures: dict[str, str] = {}

    def reset(self) -> None:
        self.stats.clear()
        self.failures.clear()

    def fail(self, kind: str, raw: Any, detail: str) -> None:
        message = f"{kind}: {detail}\nplatform = {json.dumps(raw, default=str)[:2000]}"
        self.stats["failures"] += 1
        if not self.keep_going:
            raise AssertionError(message)
        self.failures.setdefault(f"{kind}: {detail.splitlines()[0][:200]}", message)

    def check(self, raw: Any, synthesize: bool) -> None:
        """Parse ``raw``; when valid, build, synth and lint it if ``synthesize`` (or it is the first valid one) and
        the synth budget allows."""
        stats = self.stats
        stats["examples"] += 1
        try:
            self.parse(raw)
        except ConfigError as error:
            stats["parse: ConfigError"] += 1
            if not self.names_a_setting(error, raw):
                self.fail("ConfigError names no setting", raw, str(error))
            return
        except Exception as error:  # the point of the test
            self.fail(f"parse raised {type(error).__name__}", raw, "".join(traceback.format_exception_only(error)))
            return
        stats["parse: valid"] += 1
        for section in self.counted_sections:  # how often a section is valid and non-empty
            if isinstance(raw, dict) and raw.get(section):
                stats[f"valid with {section}"] += 1
        # Synthesize the drawn share of valid objects, and always the first one, so the run is never vacuous whatever
        # sequence the (derandomized) strategy produces.
        built = stats["synthesized"] + stats["build: ConfigError"]
        if not (synthesize or built == 0) or built >= self.synth_budget:
            return
        context = support.cdk_json_context()
        context[CONTEXT_KEY] = raw
        app = support.new_app(context)
        try:
            # a drawn manifests directory is relative to the working directory: write it to a scratch one
            with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
                build_app(app)
                templates = synth_templates(app)
        except ConfigError as error:
            stats["build: ConfigError"] += 1
            if not self.build_error_names_a_setting(error, raw):
                self.fail("ConfigError names no setting", raw, str(error))
            return
        except Exception as error:
            self.fail(f"build/synth raised {type(error).__name__}", raw,
                      "".join(traceback.format_exception_only(error)))
            return
        stats["synthesized"] += 1
        for name, template in templates.items():
            stats["templates linted"] += 1
            findings = cfn_lint_findings(template, allow=support.CFN_LINT_ALLOW)
            if findings:
                self.fail("cfn-lint", raw, f"{name}: " + "; ".join(map(str, findings[:5])))

    def report(self) -> str:
        lines = [f"{self.label}: {self.examples} examples requested, synth budget {self.synth_budget}"]
        lines += [f"  {key:<22} {self.stats[key]:>6}" for key in sorted(self.stats)]
        lines += [f"  FAILURE {summary}" for summary in self.failures]
        return "\n".join(lines)

    def finish(self, result_file: str) -> None:
        """Print the counts; under ``make fuzz`` keep them in ``.bench-tmp/<result_file>``; fail on any failure and
        on a vacuous run (both outcomes exercised, something synthesized and linted)."""
        print("\n" + self.report())
        if self.keep_going:
            out = support.REPO_ROOT / ".bench-tmp"
            out.mkdir(exist_ok=True)
            (out / result_file).write_text(json.dumps({
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"), "examples": self.examples,
                "synth_budget": self.synth_budget, "stats": dict(self.stats), "failures": sorted(self.failures),
            }, indent=2))
        assert not self.failures, self.report() + "\n\n" + "\n\n".join(self.failures.values())
        assert self.stats["parse: ConfigError"] > 0 and self.stats["parse: valid"] > 0
        assert self.stats["synthesized"] > 0 and self.stats["templates linted"] > 0
