using System.Security.Cryptography;
using Ngrtc.Audit.Service.Integrity;
using Shouldly;

namespace Ngrtc.Audit.UnitTests;

public class MerkleTilesTests
{
    private static byte[] Leaf(int i) => SHA256.HashData([0, .. BitConverter.GetBytes(i)]);

    // RFC 9162 §2.1.1, straight from the text.
    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int from, int count)
    {
        if (count == 0)
        {
            return SHA256.HashData([]);
        }

        if (count == 1)
        {
            return leaves[from];
        }

        var k = 1;
        while (k * 2 < count)
        {
            k *= 2;
        }

        return SHA256.HashData([1, .. Mth(leaves, from, k), .. Mth(leaves, from + k, count - k)]);
    }

    [Fact]
    public void root_of_the_tile_edge_is_the_rfc_9162_tree_hash_at_every_size_across_tile_boundaries()
    {
        var leaves = Enumerable.Range(0, 66_000).Select(Leaf).ToList();
        var edge = new TileEdge(0, []);
        edge.Root().ShouldBe(Mth(leaves, 0, 0));
        var checkedSizes = new HashSet<int>([1, 2, 3, 255, 256, 257, 511, 512, 513, 4097, 65_535, 65_536, 65_537, 66_000]);
        for (var i = 0; i < leaves.Count; i++)
        {
            edge.Append(leaves[i]);
            if (checkedSizes.Contains(i + 1) || (i < 600 && i % 7 == 0))
            {
                edge.Root().ShouldBe(Mth(leaves, 0, i + 1), $"size {i + 1}");
            }
        }
    }

    [Fact]
    public void stored_tiles_restore_the_edge_and_hold_every_perfect_subtree()
    {
        var leaves = Enumerable.Range(0, 70_000).Select(Leaf).ToList();
        var tiles = new Dictionary<(int, long), byte[]>();
        var edge = new TileEdge(0, []);
        var size = 0;
        foreach (var chunk in new[] { 1, 300, 255, 5000, 60_000, 4444 })
        {
            for (var i = 0; i < chunk; i++)
            {
                edge.Append(leaves[size++]);
            }

            foreach (var tile in edge.TakeChanges())
            {
                tiles[(tile.Level, tile.Index)] = tile.Hashes;
            }

            // A restart: the edge comes back from the stored partial tiles alone.
            var partial = Enumerable.Range(0, 4)
                .Select(level => tiles.GetValueOrDefault((level, TileEdge.PartialIndex(size, level))) ?? [])
                .Select((t, level) => TileEdge.EntriesAt(size, level) % MerkleTiles.Width == 0 ? [] : t)
                .ToList();
            edge = new TileEdge(size, partial);
            edge.Root().ShouldBe(Mth(leaves, 0, size), $"size {size}");
        }

        foreach (var (level, index) in new[] { (0, 5L), (3, 7L), (8, 0L), (8, 200L), (9, 3L), (16, 0L), (12, 16L) })
        {
            var span = MerkleTiles.Locate(level, index);
            var hash = MerkleTiles.PerfectRoot(tiles[(span.TileLevel, span.TileIndex)], span.First, span.Count);
            hash.ShouldBe(Mth(leaves, (int)(index << level), 1 << level), $"subtree level {level} index {index}");
        }
    }

    /// <summary>The tiles a sealer stores for <paramref name="size"/> leaves, written in steps as it does.</summary>
    private static Dictionary<(int Level, long Index), byte[]> SealedTiles(int size)
    {
        var tiles = new Dictionary<(int, long), byte[]>();
        var edge = new TileEdge(0, []);
        for (var i = 0; i < size; i++)
        {
            edge.Append(Leaf(i));
            if (i % 5000 == 0 || i == size - 1)
            {
                foreach (var tile in edge.TakeChanges())
                {
                    tiles[(tile.Level, tile.Index)] = tile.Hashes;
                }
            }
        }

        return tiles;
    }

    /// <summary>What verification does: the upper tiles rebuilt from the roots of the complete level-0 tiles.</summary>
    private static string? CheckUpper(Dictionary<(int Level, long Index), byte[]> tiles, int size)
    {
        var upper = new UpperTiles();
        for (var index = 0L; index < size / MerkleTiles.Width; index++)
        {
            upper.Add(MerkleTiles.PerfectRoot(tiles[(0, index)], 0, MerkleTiles.Width));
        }

        return upper.FirstDifference(tiles.Where(t => t.Key.Level > 0).ToDictionary());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(700)]
    [InlineData(65_536)]
    [InlineData(70_000)]
    public void upper_tiles_rebuilt_from_the_level_zero_tiles_match_the_stored_ones(int size)
    {
        var tiles = SealedTiles(size);
        CheckUpper(tiles, size).ShouldBeNull();
    }

    [Theory]
    [InlineData(1, 0, 5)] // a complete level-1 tile
    [InlineData(1, 1, 0)] // the partial level-1 tile
    [InlineData(2, 0, 0)] // the partial level-2 tile, whose one entry is the complete level-1 tile's root
    public void a_changed_upper_tile_is_named(int level, long index, int entry)
    {
        var tiles = SealedTiles(70_000);
        tiles[(level, index)][(entry * MerkleTiles.HashSize) + 7] ^= 1;
        CheckUpper(tiles, 70_000).ShouldStartWith($"the stored tile at level {level}, index {index} differs");
    }

    [Fact]
    public void a_missing_an_extra_and_a_shortened_upper_tile_are_named()
    {
        var missing = SealedTiles(70_000);
        missing.Remove((1, 1));
        CheckUpper(missing, 70_000).ShouldStartWith("the stored tile at level 1, index 1 is missing");

        var extra = SealedTiles(700);
        extra[(2, 0)] = new byte[MerkleTiles.HashSize];
        CheckUpper(extra, 700).ShouldStartWith("the stored tile at level 2, index 0 is not accounted for");

        var shortened = SealedTiles(700);
        shortened[(1, 0)] = shortened[(1, 0)][..MerkleTiles.HashSize];
        CheckUpper(shortened, 700).ShouldStartWith("the stored tile at level 1, index 0 differs");
    }

    [Fact]
    public void an_edge_that_does_not_match_its_size_is_refused()
    {
        Should.Throw<InvalidDataException>(() => new TileEdge(3, [new byte[64]]));
    }
}
