using System.Text;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Ingest;

/// <summary><c>customers</c>: id, email, names, locale, time zone, dates and consent.</summary>
internal sealed class CustomerRows : RowMapper
{
    private const int CustomerId = 0, Email = 1, FirstName = 2, LastName = 3, Locale = 4, TimeZone = 5,
        SignupAt = 6, Birthday = 7, Consent = 8, ConsentAt = 9;

    private readonly string _defaultLocale;
    // Files repeat a handful of locales and zones; validating each distinct value once keeps large files fast.
    private readonly Dictionary<string, string?> _locales = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _zones = new(StringComparer.Ordinal);

    public CustomerRows(string defaultLocale)
        : base(ImportKind.Customers, "customers",
            [new("customer_id", true), new("email", true), new("first_name"), new("last_name"), new("locale"), new("time_zone"),
             new("signup_at"), new("birthday"), new("consent"), new("consent_at")],
            [CustomerId], [])
    {
        _defaultLocale = Values.NormalizeLocale(defaultLocale)
            ?? throw new ArgumentException($"The default locale '{defaultLocale}' is not a well-formed BCP 47 tag.", nameof(defaultLocale));
    }

    protected override void Map()
    {
        Set(CustomerId, Text(CustomerId));
        if (Text(Email) is { } rawEmail)
        {
            var email = Values.NormalizeEmail(rawEmail);
            if (email is null)
            {
                Row.Error(ColumnName(Email), $"invalid email address '{rawEmail}'");
            }
            Set(Email, email);
        }
        Set(FirstName, Text(FirstName));
        Set(LastName, Text(LastName));
        var locale = _defaultLocale;
        if (Text(Locale) is { } rawLocale)
        {
            if (!_locales.TryGetValue(rawLocale, out var normalized))
            {
                _locales[rawLocale] = normalized = Values.NormalizeLocale(rawLocale);
            }
            if (normalized is null)
            {
                Row.Error(ColumnName(Locale), $"malformed locale tag '{rawLocale}' (expected BCP 47, e.g. en-US)");
            }
            locale = normalized ?? locale;
        }
        Set(Locale, locale);
        if (Text(TimeZone) is { } rawZone)
        {
            if (!_zones.TryGetValue(rawZone, out var zone))
            {
                _zones[rawZone] = zone = Values.NormalizeTimeZone(rawZone);
            }
            if (zone is null)
            {
                Row.Error(ColumnName(TimeZone), $"unknown time zone '{rawZone}' (expected an IANA id, e.g. Europe/Paris)");
            }
            Set(TimeZone, zone);
        }
        Set(SignupAt, Timestamp(SignupAt));
        if (TryRaw(Birthday, out var birthday))
        {
            if (birthday.Length == 10 && Values.TryParseDate(birthday, out _, out _, out _))
            {
                Set(Birthday, Encoding.UTF8.GetString(birthday));
            }
            else
            {
                Row.Error(ColumnName(Birthday), $"unparseable date '{Encoding.UTF8.GetString(birthday)}' (expected yyyy-MM-dd)");
            }
        }
        Set(Consent, Bool(Consent, fallback: false) ? 1L : 0L);
        Set(ConsentAt, Timestamp(ConsentAt));
    }
}

/// <summary><c>products</c>, with localized <c>title_&lt;locale&gt;</c> / <c>description_&lt;locale&gt;</c> columns staged for <c>product_texts</c>.</summary>
internal sealed class ProductRows : RowMapper
{
    private const int ProductId = 0, Title = 1, Description = 2, Category = 3, Brand = 4, Price = 5, Currency = 6,
        InStock = 7, ImageUrl = 8, Url = 9, Tags = 10;

    private readonly List<LocaleColumns> _localized = [];
    private readonly List<(string Locale, string Title, string? Description)> _texts = [];
    private SqliteCommand? _stageText;
    private SqliteParameter? _textLine, _textProduct, _textLocale, _textTitle, _textDescription;

    private sealed class LocaleColumns(string locale)
    {
        public string Locale { get; } = locale;
        public int Title { get; set; } = -1;
        public int Description { get; set; } = -1;
    }

    public ProductRows()
        : base(ImportKind.Products, "products",
            [new("product_id", true), new("title", true), new("description", Trim: false), new("category", true), new("brand"),
             new("price", true), new("currency", true), new("in_stock"), new("image_url"), new("url"), new("tags")],
            [ProductId], [])
    {
    }

    protected override bool ClassifyExtra(int index, string name)
    {
        var isTitle = name.StartsWith("title_", StringComparison.OrdinalIgnoreCase);
        if (!isTitle && !name.StartsWith("description_", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var locale = Values.NormalizeLocale(name[(name.IndexOf('_', StringComparison.Ordinal) + 1)..]);
        if (locale is null)
        {
            return false;
        }
        var columns = _localized.Find(l => l.Locale == locale);
        if (columns is null)
        {
            _localized.Add(columns = new LocaleColumns(locale));
        }
        if ((isTitle ? columns.Title : columns.Description) >= 0)
        {
            DuplicateColumns.Add(name);
        }
        else if (isTitle)
        {
            columns.Title = index;
        }
        else
        {
            columns.Description = index;
        }
        return true;
    }

    public override void Prepare(MailsmithStore store, SqliteConnection connection, SqliteTransaction transaction)
    {
        base.Prepare(store, connection, transaction);
        _stageText = store.Command(connection, "import-products-stage-text", transaction);
        _textLine = _stageText.Parameters.Add("$line", SqliteType.Integer);
        _textProduct = _stageText.Parameters.Add("$product_id", SqliteType.Text);
        _textLocale = _stageText.Parameters.Add("$locale", SqliteType.Text);
        _textTitle = _stageText.Parameters.Add("$title", SqliteType.Text);
        _textDescription = _stageText.Parameters.Add("$description", SqliteType.Text);
    }

    protected override void Map()
    {
        var id = Text(ProductId);
        Set(ProductId, id);
        _textProduct!.Value = (object?)id ?? DBNull.Value;
        Set(Title, Text(Title));
        Set(Description, Text(Description));
        Set(Category, Text(Category));
        Set(Brand, Text(Brand));
        Set(Price, Decimal(Price, nonNegative: true) is { } price ? DbValues.ToDb(price) : null);
        Set(Currency, CurrencyCode(Currency));
        Set(InStock, Bool(InStock, fallback: true) ? 1L : 0L);
        Set(ImageUrl, WebUrl(ImageUrl));
        Set(Url, WebUrl(Url));
        Set(Tags, Text(Tags));
        _texts.Clear();
        foreach (var columns in _localized)
        {
            var title = LocalizedText(columns.Title, trim: true);
            var description = LocalizedText(columns.Description, trim: false);
            if (title is not null)
            {
                _texts.Add((columns.Locale, title, description));
            }
            else if (description is not null)
            {
                Row.Error(Row.Columns[columns.Description], $"a localized description needs a localized title (title_{columns.Locale})");
            }
        }
    }

    private string? LocalizedText(int column, bool trim)
    {
        var bytes = Row.Fields[column];
        if (trim)
        {
            bytes = bytes.Trim(" \t\r\n"u8);
        }
        return bytes.IsEmpty ? null : Encoding.UTF8.GetString(bytes);
    }

    protected override void AfterStaged(long line)
    {
        foreach (var (locale, title, description) in _texts)
        {
            _textLine!.Value = line;
            _textLocale!.Value = locale;
            _textTitle!.Value = title;
            _textDescription!.Value = (object?)description ?? DBNull.Value;
            _stageText!.ExecuteNonQuery();
        }
    }

    public override void Dispose()
    {
        _stageText?.Dispose();
        base.Dispose();
    }
}

/// <summary><c>orders</c>: header rows; each must name a known customer.</summary>
internal sealed class OrderRows()
    : RowMapper(ImportKind.Orders, "orders",
        [new("order_id", true), new("customer_id", true), new("ordered_at", true), new("total"), new("currency"),
         new("discount_code"), new("discount_amount")],
        [OrderId], ["import-orders-check"])
{
    private const int OrderId = 0, CustomerId = 1, OrderedAt = 2, Total = 3, Currency = 4, DiscountCode = 5, DiscountAmount = 6;

    protected override void Map()
    {
        Set(OrderId, Text(OrderId));
        Set(CustomerId, Text(CustomerId));
        Set(OrderedAt, Timestamp(OrderedAt));
        Set(Total, Decimal(Total, nonNegative: false) is { } total ? DbValues.ToDb(total) : null);
        Set(Currency, CurrencyCode(Currency));
        Set(DiscountCode, Text(DiscountCode));
        Set(DiscountAmount, Decimal(DiscountAmount, nonNegative: false) is { } discount ? DbValues.ToDb(discount) : null);
    }
}

/// <summary><c>order_lines</c>: one product of an order; unique by (order, product).</summary>
internal sealed class OrderLineRows()
    : RowMapper(ImportKind.OrderLines, "order_lines",
        [new("order_id", true), new("product_id", true), new("quantity", true), new("unit_price", true)],
        [OrderId, ProductId], ["import-order_lines-check"])
{
    private const int OrderId = 0, ProductId = 1, Quantity = 2, UnitPrice = 3;

    protected override void Map()
    {
        Set(OrderId, Text(OrderId));
        Set(ProductId, Text(ProductId));
        Set(Quantity, Int(Quantity, 1, int.MaxValue));
        Set(UnitPrice, Decimal(UnitPrice, nonNegative: true) is { } price ? DbValues.ToDb(price) : null);
    }
}

/// <summary><c>events</c>: the high-volume file. Absent product and query are staged as '' to match the natural key.</summary>
internal sealed class EventRows()
    : RowMapper(ImportKind.Events, "events",
        [new("customer_id", true), new("type", true), new("occurred_at", true), new("product_id"), new("query", Trim: false), new("campaign_id")],
        [], ["import-events-check"])
{
    private const int CustomerId = 0, Type = 1, OccurredAt = 2, ProductId = 3, Query = 4, CampaignId = 5;

    // Event types repeat across millions of rows and there are only a few: keep one string per distinct type.
    private readonly List<(byte[] Utf8, string Text)> _types = [];

    protected override void Map()
    {
        Set(CustomerId, Text(CustomerId));
        if (TryRaw(Type, out var type))
        {
            if (Values.IsSnakeCaseWord(type))
            {
                Set(Type, InternType(type));
            }
            else
            {
                Row.Error(ColumnName(Type), $"event type must be a lower_snake_case word, got '{Encoding.UTF8.GetString(type)}'");
            }
        }
        Set(OccurredAt, Timestamp(OccurredAt));
        Set(ProductId, Text(ProductId) ?? "");
        Set(Query, Text(Query) ?? "");
        Set(CampaignId, Text(CampaignId));
    }

    private string InternType(ReadOnlySpan<byte> type)
    {
        foreach (var (utf8, text) in _types)
        {
            if (type.SequenceEqual(utf8))
            {
                return text;
            }
        }
        var added = Encoding.UTF8.GetString(type);
        if (_types.Count < 64)
        {
            _types.Add((type.ToArray(), added));
        }
        return added;
    }
}

/// <summary><c>reviews</c>: a rating from 1 to 5 by a known customer of a known product.</summary>
internal sealed class ReviewRows()
    : RowMapper(ImportKind.Reviews, "reviews",
        [new("customer_id", true), new("product_id", true), new("rating", true), new("text", Trim: false), new("created_at")],
        [], ["import-reviews-check"])
{
    private const int CustomerId = 0, ProductId = 1, Rating = 2, ReviewText = 3, CreatedAt = 4;

    protected override void Map()
    {
        Set(CustomerId, Text(CustomerId));
        Set(ProductId, Text(ProductId));
        if (TryRaw(Rating, out var raw))
        {
            if (Values.TryParseInt(raw, out var rating) && rating is >= 1 and <= 5)
            {
                Set(Rating, (long)rating);
            }
            else
            {
                Row.Error(ColumnName(Rating), $"rating must be an integer from 1 to 5, got '{Encoding.UTF8.GetString(raw)}'");
            }
        }
        Set(ReviewText, Text(ReviewText));
        Set(CreatedAt, Timestamp(CreatedAt));
    }
}
