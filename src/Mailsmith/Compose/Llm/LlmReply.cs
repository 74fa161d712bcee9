using System.Globalization;
using System.Text.Json;

namespace Mailsmith.Compose.Llm;

/// <summary>The model's copy for a micro-segment, with slots still in it. Blurbs are in product order.</summary>
public sealed record SlottedCopy(string Subject, string Preheader, IReadOnlyList<string> Paragraphs, IReadOnlyList<string> Blurbs);

/// <summary>A reply that is not usable, with a short reason code (<c>malformed_json</c>, <c>schema</c>, <c>unknown_slot</c>, …).</summary>
public sealed class LlmReplyException : Exception
{
    public LlmReplyException(string reason, string message) : base(message)
    {
        Reason = reason;
    }

    public LlmReplyException() : this("malformed_json", "unusable reply") { }

    public LlmReplyException(string message) : this("malformed_json", message) { }

    public LlmReplyException(string message, Exception inner) : base(message, inner)
    {
        Reason = "malformed_json";
    }

    public string Reason { get; }
}

/// <summary>
/// Strict parsing of the model's reply: exactly one JSON object with exactly <c>subject</c>, <c>preheader</c>,
/// <c>paragraphs</c> (1–4 strings) and <c>products</c> (one <c>{slot, blurb}</c> per product, <c>product_1</c>… in
/// order); only slots the plan offers. Nothing is repaired: no code fences stripped, no trailing text ignored.
/// </summary>
public static class LlmReply
{
    private static readonly JsonDocumentOptions Strict = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 };

    /// <exception cref="LlmReplyException">The reply is not the expected JSON, or uses a slot the plan does not offer.</exception>
    public static SlottedCopy Parse(string text, EmailPlan plan)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Strict);
        }
        catch (JsonException e)
        {
            throw new LlmReplyException("malformed_json", $"reply is not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new LlmReplyException("schema", $"reply is a JSON {root.ValueKind}, not an object");
            }
            string? subject = null, preheader = null;
            List<string>? paragraphs = null;
            List<string>? blurbs = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "subject":
                        subject = String(property.Value, "subject");
                        break;
                    case "preheader":
                        preheader = String(property.Value, "preheader");
                        break;
                    case "paragraphs":
                        paragraphs = Strings(property.Value, "paragraphs");
                        break;
                    case "products":
                        blurbs = Blurbs(property.Value, plan.Products.Count);
                        break;
                    default:
                        throw new LlmReplyException("schema", $"unexpected property '{property.Name}'");
                }
            }
            if (subject is null || preheader is null || paragraphs is null || blurbs is null)
            {
                var missing = new[] { ("subject", subject is null), ("preheader", preheader is null), ("paragraphs", paragraphs is null), ("products", blurbs is null) }
                    .Where(p => p.Item2).Select(p => p.Item1);
                throw new LlmReplyException("schema", $"missing {string.Join(", ", missing)}");
            }
            if (paragraphs.Count is 0 or > 4)
            {
                throw new LlmReplyException("schema", $"{paragraphs.Count} paragraphs; 1–4 expected");
            }
            var copy = new SlottedCopy(subject, preheader, paragraphs, blurbs);
            CheckSlots(copy, plan);
            return copy;
        }
    }

    /// <summary>Every <c>{…}</c> in the copy must be a slot the plan offers (an invented slot is an invented fact).</summary>
    private static void CheckSlots(SlottedCopy copy, EmailPlan plan)
    {
        var offered = CopySlots.Available(plan).Select(s => s.Slot).ToHashSet(StringComparer.Ordinal);
        foreach (var text in copy.Paragraphs.Prepend(copy.Preheader).Prepend(copy.Subject).Concat(copy.Blurbs))
        {
            foreach (var name in CopySlots.NamesIn(text))
            {
                if (!offered.Contains(name))
                {
                    throw new LlmReplyException("unknown_slot", $"slot '{{{name}}}' is not one the plan offers");
                }
            }
        }
    }

    private static string String(JsonElement value, string name) => value.ValueKind == JsonValueKind.String
        ? value.GetString()!.Trim()
        : throw new LlmReplyException("schema", $"'{name}' is a JSON {value.ValueKind}, not a string");

    private static List<string> Strings(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new LlmReplyException("schema", $"'{name}' is a JSON {value.ValueKind}, not an array");
        }
        return value.EnumerateArray().Select((v, i) => String(v, $"{name}[{i}]")).ToList();
    }

    private static List<string> Blurbs(JsonElement value, int count)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new LlmReplyException("schema", $"'products' is a JSON {value.ValueKind}, not an array");
        }
        var blurbs = new List<string>(count);
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new LlmReplyException("schema", "a 'products' item is not an object");
            }
            string? slot = null, blurb = null;
            foreach (var property in item.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "slot":
                        slot = String(property.Value, "slot").Trim('{', '}');
                        break;
                    case "blurb":
                        blurb = String(property.Value, "blurb");
                        break;
                    default:
                        throw new LlmReplyException("schema", $"unexpected property 'products[].{property.Name}'");
                }
            }
            var expected = "product_" + (blurbs.Count + 1).ToString(CultureInfo.InvariantCulture);
            if (slot is null || blurb is null)
            {
                throw new LlmReplyException("schema", "a 'products' item lacks 'slot' or 'blurb'");
            }
            if (blurbs.Count >= count)
            {
                // A blurb for product_5 of a 4-product email describes a product the plan does not have.
                throw new LlmReplyException("unknown_product", $"a blurb for '{slot}', but the plan has {count} products");
            }
            if (slot != expected)
            {
                throw new LlmReplyException("schema", $"products[{blurbs.Count}] is '{slot}', expected '{expected}'");
            }
            blurbs.Add(blurb);
        }
        if (blurbs.Count != count)
        {
            throw new LlmReplyException("schema", $"{blurbs.Count} product blurbs for {count} products");
        }
        return blurbs;
    }
}
