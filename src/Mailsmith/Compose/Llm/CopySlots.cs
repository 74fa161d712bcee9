using System.Globalization;
using System.Text;

namespace Mailsmith.Compose.Llm;

/// <summary>
/// The slots LLM copy is written with (<c>{first_name}</c>, <c>{product_1}</c>, …): one copy serves every recipient of a
/// micro-segment, and each recipient's own facts are filled in from their <see cref="EmailPlan"/>. The model never
/// sees a recipient's name, products or prices; it can only point at them.
/// </summary>
public static class CopySlots
{
    /// <summary>The slots a plan offers, with what each stands for (sent to the model), in a stable order.</summary>
    public static IReadOnlyList<(string Slot, string Meaning)> Available(EmailPlan plan)
    {
        var slots = new List<(string, string)> { ("store", "the store's name") };
        if (plan.Recipient.FirstName is not null)
        {
            slots.Add(("first_name", "the recipient's first name"));
        }
        if (plan.TopCategory is not null)
        {
            slots.Add(("top_category", "the category the recipient likes most"));
        }
        slots.Add(("lead_product", "the name of the product the email leads with"));
        slots.Add(("lead_price", "the lead product's price"));
        if (plan.FromPrice is not null)
        {
            slots.Add(("from_price", "the lowest price among the products shown (say 'from {from_price}')"));
        }
        slots.Add(("item_count", "how many items (products shown, or items left in the cart)"));
        for (var i = 1; i <= plan.Products.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            slots.Add(($"product_{n}", $"the name of product {n}"));
            slots.Add(($"product_{n}_price", $"the price of product {n}"));
            slots.Add(($"product_{n}_category", $"the category of product {n}"));
        }
        if (plan.Offer is { } offer)
        {
            slots.Add(("discount", "the discount (already formatted, e.g. 15% or $5)"));
            if (offer.Code is not null)
            {
                slots.Add(("code", "the discount code to type at checkout"));
            }
            if (offer.Expires is not null)
            {
                slots.Add(("expires", "the last day the discount is valid"));
            }
        }
        return slots;
    }

    /// <summary>The value of <paramref name="slot"/> for this plan, or null when the plan has none.</summary>
    public static string? ValueOf(EmailPlan plan, string slot)
    {
        switch (slot)
        {
            case "store": return plan.StoreName;
            case "first_name": return plan.Recipient.FirstName;
            case "top_category": return plan.TopCategory;
            case "lead_product": return plan.Lead.Title;
            case "lead_price": return plan.Lead.Price.Formatted;
            case "from_price": return plan.FromPrice?.Formatted;
            case "item_count": return plan.ItemCount.ToString(CultureInfo.InvariantCulture);
            case "discount": return plan.Offer?.PercentFormatted ?? plan.Offer?.Amount?.Formatted;
            case "code": return plan.Offer?.Code;
            case "expires": return plan.Offer?.Expires?.Formatted;
        }
        if (slot.StartsWith("product_", StringComparison.Ordinal))
        {
            var rest = slot.AsSpan("product_".Length);
            var underscore = rest.IndexOf('_');
            var number = underscore < 0 ? rest : rest[..underscore];
            if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= plan.Products.Count)
            {
                var product = plan.Products[n - 1];
                return underscore < 0 ? product.Title : rest[(underscore + 1)..] switch
                {
                    "price" => product.Price.Formatted,
                    "category" => product.Category,
                    _ => null,
                };
            }
        }
        return null;
    }

    /// <summary>Every <c>{slot}</c> name in <paramref name="text"/>.</summary>
    public static IEnumerable<string> NamesIn(string text)
    {
        var i = 0;
        while ((i = text.IndexOf('{', i)) >= 0)
        {
            var end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                yield break;
            }
            yield return text[(i + 1)..end];
            i = end + 1;
        }
    }

    /// <summary>Whether <paramref name="name"/> is a slot name this plan-shape could fill (lower-case letters, digits, underscores).</summary>
    public static bool IsWellFormed(string name) => name.Length is > 0 and <= 40 && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_');

    /// <summary>
    /// Fills every slot of <paramref name="template"/> from <paramref name="plan"/>. Returns null and names the slot in
    /// <paramref name="missing"/> when the plan has no value for one (the message then falls back).
    /// </summary>
    public static string? Fill(string template, EmailPlan plan, out string? missing)
    {
        missing = null;
        if (template.IndexOf('{') < 0)
        {
            return template;
        }
        var builder = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            var close = open < 0 ? -1 : template.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                builder.Append(template, i, template.Length - i);
                break;
            }
            builder.Append(template, i, open - i);
            var name = template[(open + 1)..close];
            if (ValueOf(plan, name) is not { } value)
            {
                missing = name;
                return null;
            }
            builder.Append(value);
            i = close + 1;
        }
        return builder.ToString();
    }
}
