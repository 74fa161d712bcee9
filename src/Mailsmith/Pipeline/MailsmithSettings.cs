using Mailsmith.Compose;
using Mailsmith.Compose.Llm;
using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Learn;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Track;
using Microsoft.Extensions.Configuration;

namespace Mailsmith.Pipeline;

/// <summary>Campaign defaults. Configuration section <c>Campaigns</c>.</summary>
public sealed class CampaignOptions
{
    /// <summary>Products per email (3–6). Default 4.</summary>
    public int ProductsPerEmail { get; init; } = 4;

    /// <summary>Welcome campaigns address customers who signed up within this many days. Default 14.</summary>
    public int WelcomeWindowDays { get; init; } = 14;

    /// <summary>Abandoned-cart campaigns address customers whose cart was filled within this many hours. Default 72.</summary>
    public int AbandonedCartHours { get; init; } = 72;

    /// <summary>Messages composed and written per batch (bounds memory). Default 2000.</summary>
    public int BatchSize { get; init; } = 2000;

    /// <summary>Worker threads for compose and render. Default 0 = one per core.</summary>
    public int Parallelism { get; init; }
}

/// <summary>Where composed messages go. Configuration section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>The pickup folder for <c>.eml</c> files (<c>&lt;dir&gt;/&lt;campaign&gt;/&lt;customer&gt;.eml</c>). Default <c>outbox</c> beside the database.</summary>
    public string? Directory { get; init; }
}

/// <summary>
/// All configuration, bound from <c>mailsmith.json</c> and <c>MAILSMITH__Section__Key</c> environment variables.
/// Immutable and shared. Every key is documented in docs/configuration.md.
/// </summary>
public sealed class MailsmithSettings
{
    /// <summary>The database file. From <c>--db</c>, <c>MAILSMITH_DB</c>, or <c>./mailsmith.db</c>.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>The configuration file that was read, if any.</summary>
    public string? ConfigPath { get; init; }

    public ImportOptions Import { get; init; } = new();
    public ProfileOptions Profile { get; init; } = new();
    public RecommendOptions Recommend { get; init; } = new();
    public ComposeOptions Compose { get; init; } = new();
    public SenderOptions Sender { get; init; } = new();
    public TrackOptions Track { get; init; } = new();
    public CampaignOptions Campaigns { get; init; } = new();
    public OutboxOptions Outbox { get; init; } = new();
    public ServerOptions Server { get; init; } = new();
    public LearnOptions Learn { get; init; } = new();
    public SmtpOptions Smtp { get; init; } = new();
    public DkimOptions Dkim { get; init; } = new();
    public DeliveryOptions Delivery { get; init; } = new();
    public LlmOptions Llm { get; init; } = new();

    /// <summary>The outbox folder, resolved.</summary>
    public string OutboxDirectory => Outbox.Directory ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(DatabasePath))!, "outbox");

    /// <summary>The default link-signing key file: beside the database.</summary>
    public string DefaultKeyFile => Path.GetFullPath(DatabasePath) + ".key";

    /// <summary>The tracking server's spool folder, resolved.</summary>
    public string SpoolDirectory => Server.SpoolDirectory ?? Path.GetFullPath(DatabasePath) + ".spool";

    /// <summary>The LLM writer's response cache folder, resolved.</summary>
    public string LlmCacheDirectory => Llm.CacheDirectory ?? Path.GetFullPath(DatabasePath) + ".llm-cache";

    /// <summary>
    /// Reads configuration. <paramref name="configPath"/> (or <c>MAILSMITH_CONFIG</c>) must exist when given; otherwise
    /// <c>./mailsmith.json</c> is read if present. Environment variables <c>MAILSMITH__Section__Key</c> override the file.
    /// </summary>
    /// <exception cref="ConfigurationException">The file is missing or malformed, or a key is unknown or has a bad value.</exception>
    public static MailsmithSettings Load(string? configPath = null, string? databasePath = null, IDictionary<string, string?>? overrides = null)
    {
        configPath ??= Environment.GetEnvironmentVariable("MAILSMITH_CONFIG");
        if (configPath is not null && !File.Exists(configPath))
        {
            throw new ConfigurationException($"{configPath}: configuration file not found.");
        }
        if (configPath is null && File.Exists("mailsmith.json"))
        {
            configPath = "mailsmith.json";
        }
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables("MAILSMITH__");
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }
        IConfigurationRoot config;
        try
        {
            config = builder.Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ConfigurationException($"{configPath}: {e.Message}", e);
        }
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Import", "Profile", "Recommend", "Compose", "Sender", "Track", "Campaigns", "Outbox", "Store", "Server", "Learn", "Smtp", "Dkim", "Delivery" };
        known.Add("Llm");
        foreach (var section in config.GetChildren())
        {
            if (!known.Contains(section.Key))
            {
                throw new ConfigurationException($"{configPath ?? "environment"}: unknown configuration section '{section.Key}' (known: {string.Join(", ", known.Order())}).");
            }
        }
        databasePath ??= Environment.GetEnvironmentVariable("MAILSMITH_DB") ?? config["Store:Path"] ?? "mailsmith.db";
        return new MailsmithSettings
        {
            DatabasePath = databasePath,
            ConfigPath = configPath,
            Import = Bind<ImportOptions>(config, "Import", configPath),
            Profile = Bind<ProfileOptions>(config, "Profile", configPath),
            Recommend = Bind<RecommendOptions>(config, "Recommend", configPath),
            Compose = Bind<ComposeOptions>(config, "Compose", configPath),
            Sender = Bind<SenderOptions>(config, "Sender", configPath),
            Track = Bind<TrackOptions>(config, "Track", configPath),
            Campaigns = Bind<CampaignOptions>(config, "Campaigns", configPath),
            Outbox = Bind<OutboxOptions>(config, "Outbox", configPath),
            Server = Bind<ServerOptions>(config, "Server", configPath),
            Learn = Bind<LearnOptions>(config, "Learn", configPath),
            Smtp = Bind<SmtpOptions>(config, "Smtp", configPath),
            Dkim = Bind<DkimOptions>(config, "Dkim", configPath),
            Delivery = Bind<DeliveryOptions>(config, "Delivery", configPath),
            Llm = Bind<LlmOptions>(config, "Llm", configPath),
        };
    }

    private static T Bind<T>(IConfiguration config, string section, string? source) where T : new()
    {
        try
        {
            return config.GetSection(section).Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new ConfigurationException($"{source ?? "environment"}: section '{section}': {e.Message}", e);
        }
    }
}

/// <summary>Configuration that cannot be used, with the file and key at fault in the message.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message) { }
    public ConfigurationException(string message, Exception inner) : base(message, inner) { }
    public ConfigurationException() { }
}
