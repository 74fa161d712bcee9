using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// Content-based recommendations (<c>content</c>): products are similar when their texts are. Each product is a TF-IDF
/// vector over its title, description, category path, tags and brand in every language it carries; a customer is the
/// interest-weighted sum of the vectors of the products they viewed, carted and bought; candidates are scored by cosine.
/// </summary>
/// <remarks>
/// <para>Tokens: English (and any Latin-script text) is lower-cased into words of two or more letters or digits, minus
/// stop words; Chinese, Japanese and Korean runs become overlapping character bigrams (a run of one character is one
/// token), so 咖啡豆 gives 咖啡 and 啡豆 without a segmenter. Category path segments also count as whole tokens
/// (<c>cat:kitchen</c>), so the path weighs like a tag.</para>
/// <para>Weights are <c>(1 + ln tf) × ln((N + 1) / (df + 1)) + 1</c>-style TF-IDF, each vector L2-normalised, stored
/// sparse. Scoring walks an inverted index (term → products) for the customer's strongest terms only; each posting
/// list is kept to its highest-weighted products, so the work per customer is bounded whatever the catalog size and
/// nothing compares all pairs of products.</para>
/// <para>The reason is <see cref="ReasonKind.NewInFavourite"/> for a product nobody has interacted with yet that sits in
/// the category the customer interacted with most, else <see cref="ReasonKind.SimilarTo"/> naming the history product
/// whose text is closest. Products in the customer's history are never recommended back.</para>
/// <para>Thread-safe after <see cref="Fit"/>; scratch is per thread.</para>
/// </remarks>
public sealed class ContentRecommender(RecommendOptions options) : IRecommender
{
    // Terms of the customer's vector used to query the index, strongest first.
    private const int QueryTerms = 48;

    // Postings kept per term (highest weights): a term shared by more products than this says little about any of them.
    private const int MaxPostings = 4000;

    private static readonly HashSet<string> StopWords = new(
        [
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it",
            "its", "of", "on", "or", "our", "so", "that", "the", "their", "this", "to", "was", "were", "will", "with",
            "you", "your", "all", "any", "can", "more", "most", "new", "not", "no", "one", "out", "up", "very", "just",
        ],
        StringComparer.Ordinal);

    [ThreadStatic]
    private static float[]? t_scores;

    private Model? _model;

    /// <inheritdoc/>
    public string Name => "content";

    /// <summary>The options this recommender applies.</summary>
    public RecommendOptions Options { get; } = options;

    /// <summary>
    /// The tokens of <paramref name="text"/>: lower-cased Latin words (two characters or more, stop words removed) and
    /// character bigrams of CJK runs, in order of appearance.
    /// </summary>
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var products = snapshot.Products;
        var n = products.Count;
        var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            index.TryAdd(products[i].ProductId, i);
        }

        var vectors = Vectorize(products, out var termCount);

        // Inverted index as compressed rows, each row keeping its highest weights.
        var postings = new List<(int Product, float Weight)>[termCount];
        for (var i = 0; i < n; i++)
        {
            var v = vectors[i];
            for (var j = 0; j < v.Terms.Length; j++)
            {
                (postings[v.Terms[j]] ??= []).Add((i, v.Weights[j]));
            }
        }
        var offsets = new int[termCount + 1];
        for (var t = 0; t < postings.Length; t++)
        {
            var list = postings[t];
            if (list.Count > MaxPostings)
            {
                list.Sort(static (a, b) => b.Weight.CompareTo(a.Weight));
                list.RemoveRange(MaxPostings, list.Count - MaxPostings);
            }
            offsets[t + 1] = offsets[t] + list.Count;
        }
        var postingProducts = new int[offsets[^1]];
        var postingWeights = new float[offsets[^1]];
        for (var t = 0; t < postings.Length; t++)
        {
            var at = offsets[t];
            foreach (var (product, weight) in postings[t])
            {
                postingProducts[at] = product;
                postingWeights[at] = weight;
                at++;
            }
        }

        // Who has touched what, up to asOf: customers' histories and which products anybody interacted with.
        var touched = new bool[n];
        var histories = new Dictionary<string, (int Item, float Weight)[]>(StringComparer.Ordinal);
        var interactions = new List<Interaction>();
        var interest = new Dictionary<int, double>();
        foreach (var customerId in ItemCatalog.CustomerIds(snapshot))
        {
            CustomerInteractions.Collect(snapshot, customerId, asOf, interactions);
            interest.Clear();
            foreach (var x in interactions)
            {
                if (!index.TryGetValue(x.ProductId, out var item))
                {
                    continue;
                }
                touched[item] = true;
                var w = x.Kind switch
                {
                    InteractionKind.Purchase => Options.PurchaseWeight,
                    InteractionKind.AddToCart => Options.AddToCartWeight,
                    _ => Options.ViewWeight,
                } * CustomerInteractions.Decay(x.At, asOf, Options.HalfLifeDays);
                interest[item] = interest.GetValueOrDefault(item) + w;
            }
            if (interest.Count > 0)
            {
                var history = interest.Select(p => (p.Key, (float)p.Value)).ToArray();
                Array.Sort(history, static (a, b) => b.Item2 != a.Item2 ? b.Item2.CompareTo(a.Item2) : a.Item1.CompareTo(b.Item1));
                if (history.Length > Options.MaxHistoryItems)
                {
                    Array.Resize(ref history, Options.MaxHistoryItems);
                }
                histories[customerId] = history;
            }
        }

        Volatile.Write(ref _model, new Model(products, index, vectors, offsets, postingProducts, postingWeights, touched, histories));
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before Recommend.");
        if (count <= 0 || !model.Histories.TryGetValue(customerId, out var history))
        {
            return [];
        }
        return model.Score(history, count, allow);
    }

    /// <summary>Up to <paramref name="count"/> products whose text is closest to <paramref name="productId"/>'s, by cosine, best first.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> SimilarTo(string productId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before SimilarTo.");
        if (count <= 0 || !model.Index.TryGetValue(productId, out var item))
        {
            return [];
        }
        return model.Score([(item, 1f)], count, allow);
    }

    /// <summary>
    /// TF-IDF vectors of <paramref name="products"/> over title, description, brand, localized texts, category path and
    /// tags (sublinear tf, smoothed idf, L2-normalized), on one shared vocabulary of <paramref name="terms"/> terms. A
    /// null product gets an empty vector. Also used by <c>recs eval</c>'s content model.
    /// </summary>
    internal static SparseVector[] Vectorize(IReadOnlyList<Product?> products, out int terms)
    {
        var n = products.Count;
        // Term frequencies per product, with a shared vocabulary.
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var df = new List<int>();
        var termCounts = new Dictionary<int, int>[n];
        var tokens = new List<string>();
        for (var i = 0; i < n; i++)
        {
            tokens.Clear();
            if (products[i] is { } product)
            {
                AddProductTokens(product, tokens);
            }
            var counts = new Dictionary<int, int>();
            foreach (var token in tokens)
            {
                if (!vocabulary.TryGetValue(token, out var term))
                {
                    term = vocabulary.Count;
                    vocabulary[token] = term;
                    df.Add(0);
                }
                counts[term] = counts.GetValueOrDefault(term) + 1;
            }
            foreach (var term in counts.Keys)
            {
                df[term]++;
            }
            termCounts[i] = counts;
        }

        var vectors = new SparseVector[n];
        for (var i = 0; i < n; i++)
        {
            var counts = termCounts[i];
            var ids = new int[counts.Count];
            var weights = new float[counts.Count];
            var k = 0;
            double norm = 0;
            foreach (var (term, tf) in counts)
            {
                var w = (1 + Math.Log(tf)) * (Math.Log((n + 1.0) / (df[term] + 1.0)) + 1);
                ids[k] = term;
                weights[k] = (float)w;
                norm += w * w;
                k++;
            }
            Array.Sort(ids, weights);
            var scale = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0f;
            for (var j = 0; j < weights.Length; j++)
            {
                weights[j] *= scale;
            }
            vectors[i] = new SparseVector(ids, weights);
        }

        terms = vocabulary.Count;
        return vectors;
    }

    private static void AddProductTokens(Product product, List<string> tokens)
    {
        Tokenize(product.Title, tokens);
        Tokenize(product.Description, tokens);
        Tokenize(product.Brand, tokens);
        foreach (var (_, text) in product.Localized)
        {
            Tokenize(text.Title, tokens);
            Tokenize(text.Description, tokens);
        }
        foreach (var segment in product.Category.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            tokens.Add("cat:" + segment.ToLowerInvariant());
            Tokenize(segment, tokens);
        }
        foreach (var tag in product.Tags)
        {
            tokens.Add("tag:" + tag.Trim().ToLowerInvariant());
            Tokenize(tag, tokens);
        }
    }

    private static void Tokenize(string? text, List<string> into)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsCjk(c))
            {
                var start = i;
                while (i < text.Length && IsCjk(text[i]))
                {
                    i++;
                }
                if (i - start == 1)
                {
                    into.Add(text.Substring(start, 1));
                }
                for (var j = start; j + 1 < i; j++)
                {
                    into.Add(text.Substring(j, 2));
                }
            }
            else if (char.IsLetterOrDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsLetterOrDigit(text[i]) && !IsCjk(text[i]))
                {
                    i++;
                }
                if (i - start >= 2)
                {
                    var word = text[start..i].ToLowerInvariant();
                    if (!StopWords.Contains(word))
                    {
                        into.Add(word);
                    }
                }
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>CJK ideographs (unified, extension A, compatibility), kana and Hangul syllables.</summary>
    private static bool IsCjk(char c) =>
        c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\uF900' and <= '\uFAFF')
            or (>= '\u3040' and <= '\u30FF') or (>= '\uAC00' and <= '\uD7AF');

    internal readonly record struct SparseVector(int[] Terms, float[] Weights)
    {
        public float Dot(SparseVector other)
        {
            float sum = 0;
            int a = 0, b = 0;
            while (a < Terms.Length && b < other.Terms.Length)
            {
                var c = Terms[a].CompareTo(other.Terms[b]);
                if (c == 0)
                {
                    sum += Weights[a++] * other.Weights[b++];
                }
                else if (c < 0)
                {
                    a++;
                }
                else
                {
                    b++;
                }
            }
            return sum;
        }
    }

    private sealed record Model(
        IReadOnlyList<Product> Products,
        Dictionary<string, int> Index,
        SparseVector[] Vectors,
        int[] Offsets,
        int[] PostingProducts,
        float[] PostingWeights,
        bool[] Touched,
        Dictionary<string, (int Item, float Weight)[]> Histories)
    {
        public List<Recommendation> Score((int Item, float Weight)[] history, int count, Func<string, bool> allow)
        {
            // The customer's vector: interest-weighted sum of their products' vectors, then its strongest terms.
            var query = new Dictionary<int, float>();
            var categoryWeight = new Dictionary<string, float>(StringComparer.Ordinal);
            foreach (var (item, weight) in history)
            {
                var v = Vectors[item];
                for (var j = 0; j < v.Terms.Length; j++)
                {
                    query[v.Terms[j]] = query.GetValueOrDefault(v.Terms[j]) + weight * v.Weights[j];
                }
                var category = Products[item].Category;
                categoryWeight[category] = categoryWeight.GetValueOrDefault(category) + weight;
            }
            var terms = query.ToArray();
            Array.Sort(terms, static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
            var used = Math.Min(QueryTerms, terms.Length);

            var scores = t_scores is { } s && s.Length >= Products.Count ? s : t_scores = new float[Products.Count];
            var candidates = new List<int>();
            for (var q = 0; q < used; q++)
            {
                var (term, w) = terms[q];
                for (var p = Offsets[term]; p < Offsets[term + 1]; p++)
                {
                    var product = PostingProducts[p];
                    if (scores[product] == 0)
                    {
                        candidates.Add(product);
                    }
                    scores[product] += w * PostingWeights[p];
                }
            }
            var inHistory = new HashSet<int>(history.Select(h => h.Item));
            var ranked = new List<(int Item, float Score)>(candidates.Count);
            foreach (var c in candidates)
            {
                if (scores[c] > 0 && !inHistory.Contains(c))
                {
                    ranked.Add((c, scores[c]));
                }
                scores[c] = 0;
            }
            ranked.Sort(static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));

            var favourite = categoryWeight.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
            var picks = new List<Recommendation>(count);
            foreach (var (item, score) in ranked)
            {
                var product = Products[item];
                if (!allow(product.ProductId))
                {
                    continue;
                }
                picks.Add(new Recommendation(product.ProductId, score, ReasonFor(item, product, history, favourite)));
                if (picks.Count == count)
                {
                    break;
                }
            }
            return picks;
        }

        private RecommendationReason ReasonFor(int item, Product product, (int Item, float Weight)[] history, string favourite)
        {
            if (!Touched[item] && product.Category == favourite)
            {
                return new RecommendationReason(ReasonKind.NewInFavourite, Category: product.Category);
            }
            var best = history[0].Item;
            var bestSimilarity = float.MinValue;
            foreach (var (h, _) in history)
            {
                var similarity = Vectors[item].Dot(Vectors[h]);
                if (similarity > bestSimilarity)
                {
                    bestSimilarity = similarity;
                    best = h;
                }
            }
            return new RecommendationReason(ReasonKind.SimilarTo, ProductId: Products[best].ProductId);
        }
    }
}
