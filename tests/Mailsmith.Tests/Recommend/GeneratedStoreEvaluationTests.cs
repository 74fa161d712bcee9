using Mailsmith.Ingest;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Recommend;

/// <summary>The generated store has structure worth learning: a model trained on it beats the most-popular baseline.</summary>
public sealed class GeneratedStoreEvaluationTests
{
    [Fact]
    public void ItemItem_OnGeneratedStore_BeatsPopularityOnHeldOutPurchases()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-eval-").FullName;
        try
        {
            var generated = new StoreGenerator(new GeneratorOptions { Customers = 1500, Seed = 11 }).Generate(Path.Combine(dir, "data"));
            var store = MailsmithStore.Open(Path.Combine(dir, "eval.db"));
            var files = StoreGenerator.FileStems
                .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(generated.Directory, stem + ".csv")))
                .ToList();
            Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
            var snapshot = StoreSnapshot.Load(store);
            // Train on everything before the last 60 days; score on the purchases made in them.
            var split = generated.End.AddDays(-60);
            var options = new RecommendOptions();
            var itemItem = RecommenderEvaluation.HitRateAtK(snapshot, split, new ItemItemRecommender(options), 10);
            var popularity = RecommenderEvaluation.HitRateAtK(snapshot, split, new PopularityRecommender(options), 10);
            Assert.True(itemItem.Users >= 200, $"only {itemItem.Users} users to evaluate");
            Assert.True(itemItem.HitRate > popularity.HitRate * 1.2,
                $"item-item HitRate@10 {itemItem.HitRate:0.000} vs popularity {popularity.HitRate:0.000} over {itemItem.Users} users");
            Assert.True(itemItem.Ndcg > popularity.Ndcg, $"NDCG@10 {itemItem.Ndcg:0.000} vs {popularity.Ndcg:0.000}");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
