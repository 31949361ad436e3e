# tau-normalisation (Kang et al. 2020) of the plain cross-entropy ResNet-32
# on Digits-LT: test logits use w_j / ||w_j|| ** tau (tau = 1, no bias).
# Stage 2 of two: test the stage-1 checkpoint with it,
#   python tools/test.py THIS_CONFIG \
#       work_dirs/resnet32_1xb32-200e_digits-lt/epoch_200.pth
# (training with it trains the CE model and validates tau-normalised).
_base_ = '../baselines/ce/resnet32_1xb32-200e_digits-lt.py'
stage1_config = '../baselines/ce/resnet32_1xb32-200e_digits-lt.py'
model = dict(
    head=dict(type='PostHocLinearClsHead', weight_norm_tau=1.0))
