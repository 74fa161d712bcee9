using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mailsmith.Compose.Llm;

/// <summary>
/// What the model is told: the system prompt (rules), the segment's plan as JSON with slots instead of a recipient's
/// facts, and the JSON schema of the reply. Everything here depends only on the segment key's fields, so every
/// recipient of a micro-segment yields the same prompt (one call, one cache entry).
/// </summary>
public static class LlmPrompt
{
    /// <summary>Fields <see cref="LlmOptions.SegmentKey"/> may name.</summary>
    public static IReadOnlyList<string> KeyFields { get; } = ["lifecycle", "framing", "top_category", "price_band", "variant", "reasons"];

    /// <summary>The built-in system prompt (docs/compose-llm.md explains each rule).</summary>
    public const string DefaultSystemPrompt = """
        You write the copy of one marketing email for an online store. The user message is a JSON plan.
        Rules:
        1. Write in the language of "locale" only (zh-CN: Simplified Chinese; en-US: American English).
        2. You never see the recipient's name, the products, prices, discounts or dates. Refer to them only through the
           slots listed in "slots", written exactly as {slot_name}. Use no other braces and invent no slot.
        3. State no fact that is not a slot: no numbers, prices, percentages, discounts, codes, dates, product names,
           brands, shipping promises or guarantees of your own. Do not describe what a product is made of or does.
        4. Plain text only: no HTML, no Markdown, no emoji, no URLs, no [brackets].
        5. Follow "goal" and "frame": value = lead with price and savings; quality = craft and fit, mention any offer once,
           late; neutral = neither. Warm and friendly, never pushy or desperate; at most one exclamation mark in total.
        6. subject: 30-60 characters in English, 12-25 characters in Chinese (slots count as their usual length).
           preheader: one sentence that adds to the subject. paragraphs: 2 or 3 short paragraphs (no greeting, no sign-off;
           the layout adds them). products: one blurb per product slot, one short sentence each, in the given order.
        7. Reply with one JSON object matching the schema and nothing else.
        """;

    /// <summary>The reply's JSON schema (OpenAI strict-mode compatible: every property required, no extras).</summary>
    public static JsonElement Schema { get; } = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "subject": { "type": "string" },
            "preheader": { "type": "string" },
            "paragraphs": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 4 },
            "products": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": { "slot": { "type": "string" }, "blurb": { "type": "string" } },
                "required": ["slot", "blurb"],
                "additionalProperties": false
              }
            }
          },
          "required": ["subject", "preheader", "paragraphs", "products"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    /// <summary>Parses and checks <see cref="LlmOptions.SegmentKey"/>.</summary>
    /// <exception cref="ArgumentException">An unknown field; the message lists the known ones.</exception>
    public static IReadOnlyList<string> ParseKey(string segmentKey)
    {
        var fields = segmentKey.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => f.ToLowerInvariant()).Distinct().ToList();
        foreach (var field in fields)
        {
            if (!KeyFields.Contains(field))
            {
                throw new ArgumentException($"Llm:SegmentKey: unknown field '{field}' (known: {string.Join(", ", KeyFields)}).", nameof(segmentKey));
            }
        }
        return fields;
    }

    /// <summary>
    /// The micro-segment of <paramref name="plan"/>: always the campaign, the locale and the plan's shape (which slots it
    /// can fill: the offer's kind, the number of products, whether a first name, a top category and a from-price are
    /// known), so every recipient of a segment gets the same prompt; then the configured fields.
    /// </summary>
    public static string SegmentOf(EmailPlan plan, IReadOnlyList<string> fields)
    {
        var key = new StringBuilder(128);
        key.Append(plan.CampaignId).Append('|').Append(plan.CampaignType).Append('|').Append(plan.Locale).Append('|').Append(Shape(plan));
        foreach (var field in fields)
        {
            key.Append('|').Append(field).Append('=').Append(field switch
            {
                "lifecycle" => plan.Framing.Lifecycle,
                "framing" => plan.Framing.Frame,
                "top_category" => plan.TopCategory ?? "-",
                "price_band" => plan.Framing.PriceSensitivity,
                "variant" => plan.Variant,
                "reasons" => string.Join(',', plan.Products.Select(p => p.Reason.Kind)),
                _ => "",
            });
        }
        return key.ToString();
    }

    /// <summary>
    /// The user message: the plan of <paramref name="plan"/>'s segment as JSON. Only segment-level facts (and, for fields
    /// not in the key, nothing recipient-specific); the slot list stands in for every recipient fact.
    /// </summary>
    public static string UserMessage(EmailPlan plan, IReadOnlyList<string> fields)
    {
        var slots = new JsonObject();
        foreach (var (slot, meaning) in CopySlots.Available(plan))
        {
            slots[slot] = meaning;
        }
        var products = new JsonArray();
        for (var i = 0; i < plan.Products.Count; i++)
        {
            var item = new JsonObject { ["slot"] = "product_" + (i + 1).ToString(CultureInfo.InvariantCulture) };
            if (fields.Contains("reasons"))
            {
                item["why_shown"] = plan.Products[i].Reason.Kind;
            }
            products.Add(item);
        }
        var recipient = new JsonObject();
        if (fields.Contains("lifecycle"))
        {
            recipient["lifecycle"] = plan.Framing.Lifecycle;
        }
        if (fields.Contains("price_band"))
        {
            recipient["price_sensitivity"] = plan.Framing.PriceSensitivity;
        }
        recipient["first_name_known"] = plan.Recipient.FirstName is not null;
        var root = new JsonObject
        {
            ["campaign_type"] = plan.CampaignType,
            ["goal"] = plan.Goal,
            ["locale"] = plan.Locale,
            ["frame"] = fields.Contains("framing") ? plan.Framing.Frame : Frames.Neutral,
            ["recipient"] = recipient,
            ["offer"] = plan.Offer is null ? null : new JsonObject
            {
                ["kind"] = plan.Offer.Percent is not null ? "percent_off" : "amount_off",
                ["has_code"] = plan.Offer.Code is not null,
                ["has_expiry"] = plan.Offer.Expires is not null,
            },
            ["products"] = products,
            ["slots"] = slots,
        };
        if (fields.Contains("top_category") && plan.TopCategory is not null)
        {
            // Segment-level, so the model may name it (it is a plan fact) or use the slot.
            root["favourite_category"] = plan.TopCategory;
        }
        if (fields.Contains("variant"))
        {
            root["variant"] = plan.Variant;
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static string Shape(EmailPlan plan)
    {
        var offer = plan.Offer;
        var shape = offer is null
            ? "no-offer"
            : (offer.Percent is not null ? "pct" : "amt") + (offer.Code is not null ? "+code" : "") + (offer.Expires is not null ? "+exp" : "");
        return shape + "|p" + plan.Products.Count.ToString(CultureInfo.InvariantCulture)
            + (plan.Recipient.FirstName is not null ? "+name" : "") + (plan.TopCategory is not null ? "+cat" : "") + (plan.FromPrice is not null ? "+from" : "");
    }
}
