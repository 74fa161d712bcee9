using Mailsmith.Recommend.Evaluation;

namespace Mailsmith.Tests.Recommend;

public sealed class BoughtTogetherModelTests
{
    [Fact]
    public void Score_SumsConfidencesOfRulesFromTheUsersItems()
    {
        // Items 0..3. Users 0-3 hold {0,1}; users 4-5 hold {0,2}; user 6 holds {3}; user 7 holds {0}.
        var rows = new List<Interaction>();
        void Add(int user, params int[] items) => rows.AddRange(items.Select(i => new Interaction(user, i, 0, 1)));
        for (var u = 0; u < 4; u++)
        {
            Add(u, 0, 1);
        }
        Add(4, 0, 2);
        Add(5, 0, 2);
        Add(6, 3);
        Add(7, 0);
        var model = new BoughtTogetherModel(minSupport: 0.2, minConfidence: 0.1);
        model.Fit(new TrainMatrix(rows, 8, 4));
        var scores = new float[4];
        model.Score(7, scores);
        // 0 is in 7 baskets: conf(0→1) = 4/7; support of {0,2} = 2/8 = 0.25 ≥ 0.2: conf(0→2) = 2/7; 3 never with 0.
        Assert.Equal(4f / 7, scores[1], 5);
        Assert.Equal(2f / 7, scores[2], 5);
        Assert.Equal(0f, scores[3]);
    }
}
