namespace Mailsmith.Profile.Segments;

// The typed tree the binder produces from the syntax tree: every name resolved to a registry field or function,
// every value typed, literals converted (dates parsed, days_ago folded to a date), category and brand names made
// canonical. Only a bound tree can be compiled, so the compiler never meets an unchecked expression.

/// <summary>A checked condition.</summary>
public abstract record BoundCondition;

public sealed record BoundAnd(BoundCondition Left, BoundCondition Right) : BoundCondition;

public sealed record BoundOr(BoundCondition Left, BoundCondition Right) : BoundCondition;

public sealed record BoundNot(BoundCondition Operand) : BoundCondition;

/// <summary>Both sides have the same <see cref="SegmentType"/>; <see cref="Operator"/> is valid for it.</summary>
public sealed record BoundCompare(string Operator, BoundValue Left, BoundValue Right) : BoundCondition;

/// <summary>Membership in a set of constants of the value's type.</summary>
public sealed record BoundIn(BoundValue Value, IReadOnlyList<BoundConstant> Items, bool Negated) : BoundCondition;

public sealed record BoundBetween(BoundValue Value, BoundValue Low, BoundValue High, bool Negated) : BoundCondition;

public sealed record BoundIsNull(BoundValue Value, bool Negated) : BoundCondition;

/// <summary><c>contains</c> or <c>starts_with</c> on text, or <c>contains</c> on a category list.</summary>
public sealed record BoundMatch(string Operator, BoundValue Value, BoundValue Pattern, bool Negated) : BoundCondition;

/// <summary>A boolean value used as a condition: true holds, false and null do not.</summary>
public sealed record BoundTruth(BoundValue Value) : BoundCondition;

/// <summary>A typed value.</summary>
public abstract record BoundValue(SegmentType Type);

public sealed record BoundField(SegmentField Field) : BoundValue(Field.Type);

/// <summary>A constant: <see cref="Number"/> for numbers and dates (day number), <see cref="Text"/>, or <see cref="Boolean"/>.</summary>
public sealed record BoundConstant(SegmentType ConstantType, double Number = 0, string? Text = null, bool Boolean = false) : BoundValue(ConstantType);

/// <summary>
/// <c>affinity(…)</c> or <c>brand_affinity(…)</c>: the keys to try in the profile's affinity map, canonical first
/// (the catalog's spelling), then the same path with other separators.
/// </summary>
public sealed record BoundAffinity(bool Brand, IReadOnlyList<string> Keys) : BoundValue(SegmentType.Number);

/// <summary>
/// <c>bought(…)</c>: true when one of the row's purchases is of a product in <see cref="Products"/> on a day from
/// <see cref="FromDay"/> to <see cref="ToDay"/> (day numbers, inclusive). <see cref="Key"/> names it for column caches.
/// </summary>
public sealed record BoundBought(System.Collections.Frozen.FrozenSet<string> Products, int FromDay, int ToDay, string Key) : BoundValue(SegmentType.Boolean);
