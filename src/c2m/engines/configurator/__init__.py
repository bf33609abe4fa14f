"""Configurator engine: product templates → valid configurations, explanations, repairs, prices.

Pure: plain dataclasses in and out. Compile a :class:`Template` once with
:func:`compile_template`, then call the operations below with the compiled template.
"""

from c2m.engines.configurator.bom import Requirement, bill_of_materials
from c2m.engines.configurator.compile import (
    CompiledTemplate,
    Problem,
    TemplateError,
    check_template,
    compile_template,
)
from c2m.engines.configurator.complete import complete
from c2m.engines.configurator.domains import (
    Exclusion,
    OptionState,
    Possibilities,
    Span,
    possibilities,
)
from c2m.engines.configurator.forced import Forced, forced_changes
from c2m.engines.configurator.formula import FormulaError
from c2m.engines.configurator.inspection import declared_materials, inspected_dimensions
from c2m.engines.configurator.model import (
    BomItem,
    BooleanOption,
    ChoiceOption,
    Colour,
    ColourOption,
    Configuration,
    DeclaredMaterial,
    Dimension,
    LeadTimeRule,
    NumberOption,
    OperationTemplate,
    Option,
    Picture,
    PriceRule,
    QuantityBreak,
    Rule,
    Template,
    TextOption,
    Value,
    constraint,
    excludes,
    requires,
)
from c2m.engines.configurator.pricing import LeadTime, Line, Price, lead_time, price
from c2m.engines.configurator.repair import Repair, repair
from c2m.engines.configurator.routing import RoutedOperation, Routing, routing
from c2m.engines.configurator.validate import ConfigurationError, Validation, Violation, validate
from c2m.engines.configurator.wishes import wish_problems

__all__ = [
    "BomItem",
    "BooleanOption",
    "ChoiceOption",
    "Colour",
    "ColourOption",
    "CompiledTemplate",
    "Configuration",
    "ConfigurationError",
    "DeclaredMaterial",
    "Dimension",
    "Exclusion",
    "Forced",
    "FormulaError",
    "LeadTime",
    "LeadTimeRule",
    "Line",
    "NumberOption",
    "OperationTemplate",
    "Option",
    "OptionState",
    "Picture",
    "Possibilities",
    "Price",
    "PriceRule",
    "Problem",
    "QuantityBreak",
    "Repair",
    "Requirement",
    "RoutedOperation",
    "Routing",
    "Rule",
    "Span",
    "Template",
    "TemplateError",
    "TextOption",
    "Validation",
    "Value",
    "Violation",
    "bill_of_materials",
    "check_template",
    "compile_template",
    "complete",
    "constraint",
    "declared_materials",
    "excludes",
    "forced_changes",
    "inspected_dimensions",
    "lead_time",
    "possibilities",
    "price",
    "repair",
    "requires",
    "routing",
    "validate",
    "wish_problems",
]
