using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// Picks the products of one email: the recommenders' lists, filtered and merged by the campaign type's business rules.
/// </summary>
/// <remarks>
/// <para>Rules for every campaign type: never a product missing from the catalog or out of stock, never the same product
/// twice, at most <see cref="RecommendOptions.MaxPerCategory"/> products per category (full path). Exactly
/// <c>count</c> products whenever the in-stock catalog allows it: if the category cap alone keeps the list short, the rest
/// is filled without it (<see cref="RecommendOptions.RelaxCategoryCapToFill"/>). Ties are broken by product id, so the
/// same data always gives the same list.</para>
/// <para>Per campaign type (<see cref="CampaignTypes"/>):
/// <list type="bullet">
/// <item><c>recommendations</c>: the recommender chain; never a product the customer ever bought.</item>
/// <item><c>abandoned_cart</c>: first the cart (<see cref="ReasonKind.InCart"/>): products added to the cart within
/// <see cref="RecommendOptions.CartWindowDays"/> before asOf and neither removed nor bought since their last add, most
/// recently added first; cart products are never dropped for the category cap, but count toward it. Then the chain,
/// without products the customer ever bought.</item>
/// <item><c>winback</c>: best sellers of the profile's top categories and the chain's picks, alternating; without products
/// bought within <see cref="RecommendOptions.WinbackExcludeBoughtDays"/>.</item>
/// <item><c>welcome</c>: best sellers of the profile's top categories, then store-wide best sellers.</item>
/// </list></para>
/// <para>The chain asks each recommender in order; a <see cref="PopularityRecommender"/> in it answers with the profile's top
/// categories first, then store-wide. Store-wide best sellers always close the list, from the chain's popularity
/// recommender or from one the service fits itself when the chain has none.</para>
/// <para>Thread-safe after <see cref="Fit"/>: <see cref="For"/> keeps all its state per call.</para>
/// </remarks>
public sealed class RecommendationService
{
    private readonly RecommendOptions _options;
    private readonly PopularityRecommender _popularity;
    private readonly bool _ownsPopularity;
    private readonly BoughtTogetherRecommender? _boughtTogether;
    private FittedState? _state;

    /// <param name="options">Rules and weights.</param>
    /// <param name="recommenders">The chain, best first; default <see cref="EaseRecommender"/> (catalogs up to 12,000 products),
    /// <see cref="ItemItemRecommender"/>, <see cref="ContentRecommender"/> (customers with little history, products nobody has touched yet), <see cref="BoughtTogetherRecommender"/> (also asked first for an abandoned cart), then <see cref="PopularityRecommender"/>.</param>
    public RecommendationService(RecommendOptions options, IReadOnlyList<IRecommender>? recommenders = null)
    {
        _options = options;
        Recommenders = recommenders ?? [new EaseRecommender(options), new ItemItemRecommender(options), new ContentRecommender(options), new BoughtTogetherRecommender(options), new PopularityRecommender(options)];
        _boughtTogether = Recommenders.OfType<BoughtTogetherRecommender>().FirstOrDefault();
        var popularity = Recommenders.OfType<PopularityRecommender>().FirstOrDefault();
        _ownsPopularity = popularity is null;
        _popularity = popularity ?? new PopularityRecommender(options);
    }

    /// <summary>The recommender chain, in the order it is asked.</summary>
    public IReadOnlyList<IRecommender> Recommenders { get; }

    /// <summary>Fits every recommender on the snapshot's data at or before <paramref name="asOf"/>; carts and purchase exclusions are read as of the same moment.</summary>
    /// <param name="snapshot">The store's data.</param>
    /// <param name="asOf">Now, for the fit.</param>
    /// <param name="profiles">Every customer's profile, for segment best sellers (<see cref="RecommendOptions.PopularSegmentField"/>); null = none.</param>
    /// <exception cref="ArgumentException"><see cref="RecommendOptions.PopularSegmentField"/> is not a known field.</exception>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf, IReadOnlyDictionary<string, CustomerProfile>? profiles = null)
    {
        var segmentOf = SegmentOf(profiles);
        foreach (var recommender in Recommenders)
        {
            if (recommender is PopularityRecommender popularity)
            {
                popularity.Fit(snapshot, asOf, segmentOf);
            }
            else
            {
                recommender.Fit(snapshot, asOf);
            }
        }
        if (_ownsPopularity)
        {
            _popularity.Fit(snapshot, asOf, segmentOf);
        }
        Volatile.Write(ref _state, new FittedState(snapshot, asOf, new ReRanker(snapshot, asOf, _options)));
    }

    /// <summary>Up to <paramref name="count"/> products for one customer's email of <paramref name="campaignType"/>, best first.</summary>
    /// <param name="campaignType">One of <see cref="CampaignTypes"/>.</param>
    /// <param name="customer">The recipient.</param>
    /// <param name="profile">The recipient's profile (top categories, price band).</param>
    /// <param name="count">The list's length.</param>
    /// <param name="themeTags">The campaign's theme: products with any of these tags get <see cref="RecommendOptions.ThemeBoost"/>; null = <see cref="RecommendOptions.ThemeTags"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="campaignType"/> is not one of <see cref="CampaignTypes"/>.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> For(string campaignType, Customer customer, CustomerProfile profile, int count, IReadOnlyList<string>? themeTags = null)
    {
        var state = Volatile.Read(ref _state) ?? throw new InvalidOperationException("Call Fit before For.");
        if (!CampaignTypes.All.Contains(campaignType))
        {
            throw new ArgumentOutOfRangeException(nameof(campaignType), campaignType, "Not a known campaign type.");
        }
        if (count <= 0)
        {
            return [];
        }
        var id = customer.CustomerId;
        var picker = new Picker(state.Snapshot, _options.MaxPerCategory, count);
        var rerank = new Rerank(state.ReRanker, profile, themeTags ?? _options.ThemeTags);
        switch (campaignType)
        {
            case CampaignTypes.Recommendations:
                picker.Exclude(NotToRecommendAgain(state, id));
                picker.AddAll(Chain(id, profile, picker, count, rerank));
                break;
            case CampaignTypes.AbandonedCart:
                var cart = Cart(state, id);
                foreach (var item in cart)
                {
                    picker.AddExempt(item);
                }
                picker.Exclude(BoughtSince(state, id, DateTimeOffset.MinValue));
                if (_boughtTogether is { } together && cart.Count > 0 && picker.Count < count)
                {
                    var basket = cart.Select(r => r.ProductId).ToList();
                    picker.AddAll(picker.Take(allow => together.ForBasket(basket, count - picker.Count, allow)));
                }
                picker.AddAll(Chain(id, profile, picker, count - picker.Count, rerank));
                break;
            case CampaignTypes.Winback:
                picker.Exclude(BoughtSince(state, id, state.AsOf.AddDays(-_options.WinbackExcludeBoughtDays)));
                var favourites = picker.Take(allow => _popularity.RecommendInCategories(profile.TopCategories, (count + 1) / 2, allow));
                var similar = Chain(id, profile, picker, count - favourites.Count, rerank);
                picker.AddAll(Interleave(favourites, similar));
                break;
            default:
                picker.AddAll(picker.Take(allow => _popularity.RecommendInCategories(profile.TopCategories, count, allow)));
                break;
        }
        picker.AddAll(picker.Take(allow => _popularity.Recommend(id, count - picker.Count, allow)));
        if (picker.Count < count && _options.RelaxCategoryCapToFill)
        {
            picker.RelaxCap();
            picker.AddAll(picker.Take(allow => _popularity.Recommend(id, count - picker.Count, allow)));
        }
        return picker.Chosen;
    }

    /// <summary>A customer's segment by <see cref="RecommendOptions.PopularSegmentField"/>, or null when segments are off or unknown.</summary>
    private Func<string, string?>? SegmentOf(IReadOnlyDictionary<string, CustomerProfile>? profiles)
    {
        if (_options.PopularSegmentField is not ("rfm_segment" or "lifecycle" or "cluster" or "none"))
        {
            throw new ArgumentException($"Recommend:PopularSegmentField '{_options.PopularSegmentField}' is not one of rfm_segment, lifecycle, cluster, none");
        }
        return profiles is null || _options.PopularSegmentField == "none" ? null : id => profiles.TryGetValue(id, out var p) ? SegmentOf(p) : null;
    }

    /// <summary>The segment of <paramref name="profile"/> by <see cref="RecommendOptions.PopularSegmentField"/>.</summary>
    private string? SegmentOf(CustomerProfile profile) => _options.PopularSegmentField switch
    {
        "rfm_segment" => profile.RfmSegment,
        "lifecycle" => profile.Lifecycle,
        "cluster" => profile.Cluster?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// The chain's picks, reserved in <paramref name="picker"/> but not yet added, best first: a pool of
    /// <see cref="RecommendOptions.CandidatePoolFactor"/> × <paramref name="want"/> candidates from the recommenders in
    /// order, re-ranked by the business rules (<see cref="ReRanker"/>) under the category cap.
    /// </summary>
    private List<Recommendation> Chain(string customerId, CustomerProfile profile, Picker picker, int want, Rerank rerank)
    {
        if (want <= 0)
        {
            return [];
        }
        var poolSize = want * Math.Max(1, _options.CandidatePoolFactor);
        picker.Pooling = true;
        var pool = Pool(customerId, profile, picker, poolSize);
        picker.Pooling = false;
        var selected = rerank.Rules.Select(pool, want, rerank.Profile, rerank.ThemeTags, picker.Held, picker.Fits, picker.Commit);
        var kept = new HashSet<string>(selected.Select(r => r.ProductId), StringComparer.Ordinal);
        foreach (var r in pool)
        {
            if (!kept.Contains(r.ProductId))
            {
                picker.ReleasePooled(r.ProductId);
            }
        }
        return selected;
    }

    /// <summary>Up to <paramref name="want"/> candidates from the recommenders in chain order, reserved in the picker without the category cap.</summary>
    private List<Recommendation> Pool(string customerId, CustomerProfile profile, Picker picker, int want)
    {
        var picks = new List<Recommendation>();
        foreach (var recommender in Recommenders)
        {
            var remaining = want - picks.Count;
            if (remaining <= 0)
            {
                break;
            }
            if (recommender is PopularityRecommender popularity)
            {
                // Best sellers of the customer's categories, then of the customer's segment, then what is trending, then store-wide.
                picks.AddRange(picker.Take(allow => popularity.RecommendInCategories(profile.TopCategories, remaining, allow)));
                var segment = SegmentOf(profile);
                if (want - picks.Count is > 0 and var forSegment)
                {
                    picks.AddRange(picker.Take(allow => popularity.RecommendInSegment(segment, forSegment, allow)));
                }
                if (want - picks.Count is > 0 and var forTrending)
                {
                    picks.AddRange(picker.Take(allow => popularity.RecommendTrending(forTrending, allow)));
                }
                if (want - picks.Count is > 0 and var rest)
                {
                    picks.AddRange(picker.Take(allow => popularity.Recommend(customerId, rest, allow)));
                }
            }
            else
            {
                picks.AddRange(picker.Take(allow => recommender.Recommend(customerId, remaining, allow)));
            }
        }
        return picks;
    }

    /// <summary>
    /// Every product the customer bought at or before asOf, except replenishable ones (category in
    /// <see cref="RecommendOptions.ReplenishableCategories"/> or tagged <see cref="RecommendOptions.ReplenishableTag"/>)
    /// last bought more than <see cref="RecommendOptions.ReplenishAfterDays"/> ago.
    /// </summary>
    private HashSet<string> NotToRecommendAgain(FittedState state, string customerId)
    {
        var interactions = new List<Interaction>();
        CustomerInteractions.Collect(state.Snapshot, customerId, state.AsOf, interactions);
        var lastBought = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var x in interactions)
        {
            if (x.Kind == InteractionKind.Purchase && (!lastBought.TryGetValue(x.ProductId, out var seen) || x.At > seen))
            {
                lastBought[x.ProductId] = x.At;
            }
        }
        var replenishAfter = state.AsOf.AddDays(-_options.ReplenishAfterDays);
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (productId, at) in lastBought)
        {
            if (at <= replenishAfter && state.Snapshot.ProductsById.TryGetValue(productId, out var product) && IsReplenishable(product))
            {
                continue;
            }
            excluded.Add(productId);
        }
        return excluded;
    }

    private bool IsReplenishable(Product product) =>
        product.Tags.Contains(_options.ReplenishableTag, StringComparer.OrdinalIgnoreCase)
        || _options.ReplenishableCategories.Any(c => string.Equals(c, product.Category, StringComparison.OrdinalIgnoreCase)
            || string.Equals(c, product.TopCategory, StringComparison.OrdinalIgnoreCase));

    /// <summary>Products the customer bought after <paramref name="since"/> and at or before asOf.</summary>
    private static HashSet<string> BoughtSince(FittedState state, string customerId, DateTimeOffset since)
    {
        var interactions = new List<Interaction>();
        CustomerInteractions.Collect(state.Snapshot, customerId, state.AsOf, interactions);
        var bought = new HashSet<string>(StringComparer.Ordinal);
        foreach (var x in interactions)
        {
            if (x.Kind == InteractionKind.Purchase && x.At > since)
            {
                bought.Add(x.ProductId);
            }
        }
        return bought;
    }

    /// <summary>The abandoned cart as of asOf, most recently added first (ties by product id).</summary>
    private List<Recommendation> Cart(FittedState state, string customerId)
    {
        var windowStart = state.AsOf.AddDays(-_options.CartWindowDays);
        var lastAdd = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var e in state.Snapshot.EventsOf(customerId))
        {
            if (e.Type == EventTypes.AddToCart && e.OccurredAt > windowStart && e.OccurredAt <= state.AsOf && !string.IsNullOrEmpty(e.ProductId)
                && (!lastAdd.TryGetValue(e.ProductId, out var seen) || e.OccurredAt > seen))
            {
                lastAdd[e.ProductId] = e.OccurredAt;
            }
        }
        if (lastAdd.Count == 0)
        {
            return [];
        }

        // A removal or a purchase at or after the last add takes the product out of the cart.
        foreach (var e in state.Snapshot.EventsOf(customerId))
        {
            if ((e.Type == EventTypes.RemoveFromCart || e.Type == EventTypes.Purchase) && e.OccurredAt <= state.AsOf
                && e.ProductId is { } p && lastAdd.TryGetValue(p, out var added) && e.OccurredAt >= added)
            {
                lastAdd.Remove(p);
            }
        }
        foreach (var order in state.Snapshot.OrdersOf(customerId))
        {
            if (order.OrderedAt > state.AsOf)
            {
                continue;
            }
            foreach (var line in state.Snapshot.LinesOf(order.OrderId))
            {
                if (lastAdd.TryGetValue(line.ProductId, out var added) && order.OrderedAt >= added)
                {
                    lastAdd.Remove(line.ProductId);
                }
            }
        }

        var items = lastAdd.ToList();
        items.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var cart = new List<Recommendation>(items.Count);
        foreach (var (productId, added) in items)
        {
            var score = _options.AddToCartWeight * CustomerInteractions.Decay(added, state.AsOf, _options.HalfLifeDays);
            cart.Add(new Recommendation(productId, score, new RecommendationReason(ReasonKind.InCart, ProductId: productId)));
        }
        return cart;
    }

    private static List<Recommendation> Interleave(List<Recommendation> a, List<Recommendation> b)
    {
        var merged = new List<Recommendation>(a.Count + b.Count);
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            if (i < a.Count)
            {
                merged.Add(a[i]);
            }
            if (i < b.Count)
            {
                merged.Add(b[i]);
            }
        }
        return merged;
    }

    private sealed record FittedState(StoreSnapshot Snapshot, DateTimeOffset AsOf, ReRanker ReRanker);

    private sealed record Rerank(ReRanker Rules, CustomerProfile Profile, IReadOnlyList<string> ThemeTags);

    /// <summary>
    /// One list being built. <see cref="Take"/> asks a recommender with a filter that reserves every product it accepts
    /// (so a recommender's own picks respect the category cap among themselves); <see cref="AddAll"/> appends reserved picks.
    /// </summary>
    private sealed class Picker(StoreSnapshot snapshot, int maxPerCategory, int count)
    {
        private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
        private readonly HashSet<string> _excluded = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _perCategory = new(StringComparer.Ordinal);
        private readonly HashSet<string> _pooled = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Product> _held = new(StringComparer.Ordinal);
        private bool _capped = true;

        /// <summary>While true, <see cref="Take"/> reserves products for a re-rank pool: no category cap, no category count until <see cref="Commit"/>.</summary>
        public bool Pooling { get; set; }

        /// <summary>Products reserved with their category counted (in the email or about to be).</summary>
        public IEnumerable<Product> Held => _held.Values;

        /// <summary>Whether one more product of this category keeps the cap.</summary>
        public bool Fits(Product product) => !_capped || _perCategory.GetValueOrDefault(product.Category) < maxPerCategory;

        /// <summary>A pooled product the re-rank chose: its category now counts.</summary>
        public void Commit(Product product)
        {
            if (_pooled.Remove(product.ProductId))
            {
                Hold(product);
            }
        }

        /// <summary>A pooled product the re-rank left out: free again.</summary>
        public void ReleasePooled(string productId)
        {
            if (_pooled.Remove(productId))
            {
                _reserved.Remove(productId);
            }
        }

        private void Hold(Product product)
        {
            _perCategory[product.Category] = _perCategory.GetValueOrDefault(product.Category) + 1;
            _held[product.ProductId] = product;
        }

        public List<Recommendation> Chosen { get; } = [];

        public int Count => Chosen.Count;

        public void Exclude(IEnumerable<string> productIds) => _excluded.UnionWith(productIds);

        public void RelaxCap() => _capped = false;

        /// <summary>Adds a product the category cap must not drop (still in stock only, and once).</summary>
        public void AddExempt(Recommendation recommendation)
        {
            if (Chosen.Count < count && snapshot.ProductsById.TryGetValue(recommendation.ProductId, out var product)
                && product.InStock && _reserved.Add(product.ProductId))
            {
                Hold(product);
                Chosen.Add(recommendation);
            }
        }

        /// <summary>Runs <paramref name="ask"/> with a reserving filter and returns what it picked.</summary>
        public List<Recommendation> Take(Func<Func<string, bool>, IReadOnlyList<Recommendation>> ask)
        {
            var accepted = new HashSet<string>(StringComparer.Ordinal);
            var picks = new List<Recommendation>();
            foreach (var r in ask(Reserve))
            {
                // Keep only what the filter accepted: a recommender that returns more is held to the rules anyway.
                if (accepted.Remove(r.ProductId))
                {
                    picks.Add(r);
                }
            }
            // Release reservations the recommender accepted but did not return.
            foreach (var productId in accepted)
            {
                if (_pooled.Contains(productId))
                {
                    ReleasePooled(productId);
                }
                else
                {
                    Release(productId);
                }
            }
            return picks;

            bool Reserve(string productId)
            {
                if (_reserved.Contains(productId) || _excluded.Contains(productId)
                    || !snapshot.ProductsById.TryGetValue(productId, out var product) || !product.InStock)
                {
                    return false;
                }
                if (Pooling)
                {
                    _pooled.Add(productId);
                }
                else if (!Fits(product))
                {
                    return false;
                }
                else
                {
                    Hold(product);
                }
                _reserved.Add(productId);
                accepted.Add(productId);
                return true;
            }
        }

        public void AddAll(List<Recommendation> picks)
        {
            foreach (var r in picks)
            {
                if (Chosen.Count >= count)
                {
                    Release(r.ProductId);
                    continue;
                }
                Chosen.Add(r);
            }
        }

        private void Release(string productId)
        {
            if (_reserved.Remove(productId) && _held.Remove(productId, out var product))
            {
                _perCategory[product.Category]--;
            }
        }
    }
}
