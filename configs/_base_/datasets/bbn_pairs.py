# BBN's training pairs over any data set file of this folder: each draw is
# BranchPair(conventional=a uniformly drawn item, rebalancing=an item of the
# reversed sampler, class i with P_i ~ 1 / N_i), both halves with their own
# augmentation seeds. A BBN config lists this file after its data set file
# and merges it into that file's loader with one line,
#     train_dataloader = _base_.bbn_pairs
# (MMEngine refuses a key that two bases both set, so the merge is the
# config's own).
bbn_pairs = dict(
    dataset=dict(type='DualSampleDataset'),
    sampler=dict(type='DualSampler', rebalance='reversed'))
