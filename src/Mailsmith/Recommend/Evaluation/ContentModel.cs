namespace Mailsmith.Recommend.Evaluation;

/// <summary>
/// The content-based recommender under the harness: the same TF-IDF vectors as <see cref="ContentRecommender"/>
/// (title, description, brand, localized texts, category path, tags; CJK as character bigrams), a user's query vector
/// the weighted, time-decayed sum of their training items' vectors cut to its strongest terms, items scored by dot
/// product through an inverted index. It needs the items' texts, so it runs only on <c>recs eval --from-db</c>.
/// </summary>
/// <param name="products">The product of each item index (null when the catalog does not know the item).</param>
/// <param name="halfLifeDays">Decay of a training item's weight by its age before the newest training time; 0 = none.</param>
public sealed class ContentModel(IReadOnlyList<Storage.Product?> products, double halfLifeDays = 90) : ICollaborativeModel
{
    // Terms of the user's vector that query the index, strongest first (as ContentRecommender).
    private const int QueryTerms = 48;

    private TrainMatrix _train = null!;
    private int[] _offsets = [];
    private int[] _postingItems = [];
    private float[] _postingWeights = [];
    private ContentRecommender.SparseVector[] _vectors = [];

    public string Name => "content";

    public void Fit(TrainMatrix train)
    {
        if (products.Count != train.Items)
        {
            throw new ArgumentException($"{products.Count} products for {train.Items} items");
        }
        _train = train;
        _vectors = ContentRecommender.Vectorize(products, out var terms);
        _offsets = new int[terms + 1];
        foreach (var v in _vectors)
        {
            foreach (var t in v.Terms)
            {
                _offsets[t + 1]++;
            }
        }
        for (var t = 0; t < terms; t++)
        {
            _offsets[t + 1] += _offsets[t];
        }
        _postingItems = new int[_offsets[^1]];
        _postingWeights = new float[_offsets[^1]];
        var at = _offsets[..^1];
        for (var i = 0; i < _vectors.Length; i++)
        {
            var v = _vectors[i];
            for (var j = 0; j < v.Terms.Length; j++)
            {
                var slot = at[v.Terms[j]]++;
                _postingItems[slot] = i;
                _postingWeights[slot] = v.Weights[j];
            }
        }
    }

    public void Score(int user, Span<float> scores)
    {
        scores.Clear();
        var items = _train.ItemsOf(user);
        var weights = _train.WeightsOf(user);
        var times = _train.TimesOf(user);
        var query = new Dictionary<int, float>();
        for (var k = 0; k < items.Length; k++)
        {
            var w = weights[k];
            if (halfLifeDays > 0)
            {
                w *= (float)Math.Pow(2, -(_train.MaxTime - times[k]) / 86_400.0 / halfLifeDays);
            }
            var v = _vectors[items[k]];
            for (var j = 0; j < v.Terms.Length; j++)
            {
                query[v.Terms[j]] = query.GetValueOrDefault(v.Terms[j]) + w * v.Weights[j];
            }
        }
        var terms = query.ToArray();
        Array.Sort(terms, static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
        for (var q = 0; q < Math.Min(QueryTerms, terms.Length); q++)
        {
            var (term, w) = terms[q];
            for (var p = _offsets[term]; p < _offsets[term + 1]; p++)
            {
                scores[_postingItems[p]] += w * _postingWeights[p];
            }
        }
    }
}
